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

/**
 * A random UUID (version 4) from `crypto.getRandomValues`, which browsers offer on plain http too
 * (`crypto.randomUUID` needs https or localhost).
 */
export function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The attempt to send now: the current one when it is for the same address, else a new one. */
export function attemptFor(current: CheckoutAttempt | null, addressId: string | null, newKey: () => string = randomKey): CheckoutAttempt {
  return current && current.addressId === addressId ? current : { key: newKey(), addressId };
}

/** What is left of an attempt after its answer: kept only while the very same request may be retried. */
export function attemptAfter(attempt: CheckoutAttempt, outcome: AttemptOutcome): CheckoutAttempt | null {
  return outcome === "retry" || outcome === "network" ? attempt : null;
}
