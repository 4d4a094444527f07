/**
 * One attempt at a request that must happen once: placing the order, paying for it, refunding a
 * payment. The attempt is the Idempotency-Key the request sends and what the request was for
 * (the address, the card, the amount). Retrying the same request (after a network error or a 503)
 * reuses the key, so it happens once however often it is sent; a different request (another
 * address, another card) or a retry after a definite answer is a new attempt with a new key.
 */
export interface Attempt {
  key: string;
  /** What the attempt was made for: the address's id, the chosen card, the refund's amount. */
  request: string | null;
}

export type AttemptOutcome = "placed" | "paid" | "declined" | "refunded" | "retry" | "refused" | "network";

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

/** The attempt to send now: the current one when it is for the same request, else a new one. */
export function attemptFor(current: Attempt | null, request: string | null, newKey: () => string = randomKey): Attempt {
  return current && current.request === request ? current : { key: newKey(), request };
}

/** What is left of an attempt after its answer: kept only while the very same request may be retried. */
export function attemptAfter(attempt: Attempt, outcome: AttemptOutcome): Attempt | null {
  return outcome === "retry" || outcome === "network" ? attempt : null;
}

/** How long to wait before each automatic resend of the same attempt (then the shopper is asked). */
export const RESEND_DELAYS_MS: readonly number[] = [1_000, 3_000];

export const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Send one attempt, and send it again (the same request, so the same key) after each delay while
 * its answer says it may be retried: a dropped connection (`send` throws: answered by `lost()`),
 * a 503, a request with this key still in progress. Answers the last answer.
 */
export async function sendAttempt<R>(
  send: () => Promise<R>,
  mayResend: (answer: R) => boolean,
  lost: () => R,
  delaysMs: readonly number[] = RESEND_DELAYS_MS,
  sleep: (ms: number) => Promise<void> = wait,
): Promise<R> {
  for (let resends = 0; ; resends++) {
    let answer: R;
    try {
      answer = await send();
    } catch {
      answer = lost();
    }
    if (resends >= delaysMs.length || !mayResend(answer)) return answer;
    await sleep(delaysMs[resends]!);
  }
}
