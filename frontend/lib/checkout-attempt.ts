/**
 * One checkout attempt: the Idempotency-Key placing the order sends, and the request it was
 * made for. Retrying the same request (after a network error or a 503) reuses the key, so the
 * order is placed once however often the shopper presses the button; a different request (another
 * address) or a retry after a definite answer is a new attempt with a new key.
 */
export interface CheckoutAttempt {
  key: string;
  addressId: string | null;
}

export type AttemptOutcome = "placed" | "retry" | "refused" | "network";

/** The attempt to send now: the current one when it is for the same address, else a new one. */
export function attemptFor(current: CheckoutAttempt | null, addressId: string | null, newKey: () => string = () => crypto.randomUUID()): CheckoutAttempt {
  return current && current.addressId === addressId ? current : { key: newKey(), addressId };
}

/** What is left of an attempt after its answer: kept only while the very same request may be retried. */
export function attemptAfter(attempt: CheckoutAttempt, outcome: AttemptOutcome): CheckoutAttempt | null {
  return outcome === "retry" || outcome === "network" ? attempt : null;
}
