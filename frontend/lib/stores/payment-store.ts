import { createStore } from "zustand/vanilla";
import type { PaymentChoice, PaymentRead, PayResult } from "../actions/payments";
import type { Payment } from "../api/types";
import { attemptAfter, attemptFor, RESEND_DELAYS_MS, sendAttempt, wait, type Attempt } from "../checkout-attempt";
import { choiceKey, type CarriedPayment } from "../payment-choice";
import { processingPayment, succeededPayment } from "../payment-status";

/**
 * choosing: pick a card and pay (again, after a decline); paying: the request is out (resent by
 * itself with the same key after a dropped connection or a 503); processing: the provider took
 * the payment and has not answered yet; charged: the money is taken, the order moves on.
 */
export type PaymentPhase = "choosing" | "paying" | "processing" | "charged";

/** What the shopper is told after an attempt that did not charge. */
export interface PaymentNotice {
  kind: "declined" | "retry" | "refused";
  message: string;
}

export interface PaymentState {
  orderId: string;
  choice: PaymentChoice | null;
  phase: PaymentPhase;
  notice: PaymentNotice | null;
  /** The payment taken (or still processing). */
  payment: Payment | null;
  /** A payment of an earlier visit the provider had not finished (its key is gone with that page). */
  unfinished: Payment | null;
  /** The attempt in flight or to resend; null once it had a definite answer. */
  attempt: Attempt | null;
  /** How many times the current attempt has been sent. */
  sends: number;
  choose: (choice: PaymentChoice) => void;
  pay: () => Promise<void>;
  /** A processing payment as read again: settle it once the provider has answered. */
  followed: (read: PaymentRead) => void;
}

export interface PaymentDeps {
  pay: (orderId: string, idempotencyKey: string, choice: PaymentChoice) => Promise<PayResult>;
  resendDelaysMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
}

export type PaymentStore = ReturnType<typeof createPaymentStore>;

const LOST_MESSAGE = "Your connection dropped before the shop answered. Try again: you will not be charged twice.";

const resendable = (result: PayResult) => result.outcome === "retry" || result.outcome === "conflict";

/**
 * One store per payment step (an order's page): the choice, the attempt and what it answered.
 * `initial.carried` is the payment chosen at checkout: it is the choice, and its key the attempt
 * (so paying sends, and resends, the very attempt checkout made).
 */
export function createPaymentStore(
  orderId: string,
  initial: { choice: PaymentChoice | null; payments: Payment[]; lastDecline?: string | null; carried?: CarriedPayment | null },
  deps: PaymentDeps,
) {
  const taken = succeededPayment(initial.payments);
  const carried = taken ? null : (initial.carried ?? null);
  return createStore<PaymentState>()((set, get) => {
    /** Settle the attempt on its (last) answer. */
    function answered(result: PayResult, attempt: Attempt) {
      switch (result.outcome) {
        case "charged":
          set({ phase: result.payment.status === "processing" ? "processing" : "charged", payment: result.payment, attempt: null, notice: null });
          return;
        case "declined":
          set({ phase: "choosing", attempt: attemptAfter(attempt, "declined"), notice: { kind: "declined", message: result.message } });
          return;
        case "retry":
          set({ phase: "choosing", attempt: attemptAfter(attempt, "retry"), notice: { kind: "retry", message: result.message } });
          return;
        case "conflict": // maybe still in progress with this key: the same request may still go again
          set({ phase: "choosing", attempt: attemptAfter(attempt, "retry"), notice: { kind: "refused", message: result.message } });
          return;
        case "refused":
          set({ phase: "choosing", attempt: attemptAfter(attempt, "refused"), notice: { kind: "refused", message: result.message } });
      }
    }

    return {
      orderId,
      choice: carried?.choice ?? initial.choice,
      phase: taken ? "charged" : "choosing",
      notice: !taken && initial.lastDecline ? { kind: "declined", message: initial.lastDecline } : null,
      payment: taken,
      unfinished: taken ? null : processingPayment(initial.payments),
      attempt: carried ? { key: carried.key, request: choiceKey(carried.choice) } : null,
      sends: 0,
      choose: (choice) => set({ choice }),
      async pay() {
        const { choice, phase } = get();
        if (choice === null || phase !== "choosing") return;
        const attempt = attemptFor(get().attempt, choiceKey(choice));
        set({ phase: "paying", attempt, notice: null, sends: 0 });
        const result = await sendAttempt(
          () => {
            set((s) => ({ sends: s.sends + 1 }));
            return deps.pay(orderId, attempt.key, choice);
          },
          resendable,
          (): PayResult => ({ outcome: "retry", message: LOST_MESSAGE }),
          deps.resendDelaysMs ?? RESEND_DELAYS_MS,
          deps.sleep ?? wait,
        );
        answered(result, attempt);
      },
      followed(read) {
        if (get().phase !== "processing" || !read.ok) return;
        const payment = read.payment;
        if (payment.status === "processing") return;
        if (payment.status === "failed") {
          set({ phase: "choosing", payment: null, notice: { kind: "declined", message: payment.failureMessage ?? "Your card was declined." } });
        } else {
          set({ phase: "charged", payment });
        }
      },
    };
  });
}
