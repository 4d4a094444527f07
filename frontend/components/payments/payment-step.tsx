"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { useStore } from "zustand";
import { payOrder, readPayment, type PaymentRead } from "@/lib/actions/payments";
import type { Money, Payment, PaymentFailure, PaymentMethod } from "@/lib/api/types";
import { formatMoney } from "@/lib/format";
import { choiceLabel, firstChoice, isOffered, type CarriedPayment } from "@/lib/payment-choice";
import { createPaymentStore, type PaymentNotice } from "@/lib/stores/payment-store";
import { PaymentChoiceFields } from "./payment-choice-fields";

export const FOLLOW_PAYMENT_EVERY_MS = 2_000;

interface Props {
  orderId: string;
  total: Money;
  /** The shopper's saved cards; null when they could not be read (a test card still pays). */
  methods: PaymentMethod[] | null;
  /** The order's payments so far (a processing or taken one is followed, not paid again). */
  payments: Payment[];
  /** The money is taken: the order moves on to paid and confirmed by itself. */
  onCharged: (payment: Payment) => void;
  /** The order's latest declined payment, said until the next attempt. */
  lastFailure?: PaymentFailure | null;
  /** The API said the order is not awaiting payment (409): read the order again. */
  onConflict?: () => void;
  /** The payment chosen at checkout: paid with by itself, once, when the step opens. */
  carried?: CarriedPayment | null;
}

const NOTICE_TONES: Record<PaymentNotice["kind"], string> = {
  declined: "border-red-300 bg-red-50 text-red-800",
  refused: "border-red-300 bg-red-50 text-red-800",
  retry: "border-amber-300 bg-amber-50 text-amber-900",
};

/** The address bar without the payment checkout carried: a reload or Back must not send it again. */
const forgetCarriedPayment = () => window.history.replaceState(null, "", window.location.pathname);

/** Pay for an order awaiting payment: a saved card or a one-off test card, one Idempotency-Key per attempt. */
export function PaymentStep({ orderId, total, methods, payments, lastFailure = null, onCharged, onConflict, carried = null }: Props) {
  const router = useRouter();
  // Only a choice this step can show as chosen goes by itself (a saved card deleted since is not).
  const [autoPay] = useState(() => (carried && isOffered(carried.choice, methods) ? carried : null));
  const [store] = useState(() =>
    createPaymentStore(orderId, { choice: firstChoice(methods), payments, lastDecline: lastFailure?.message, carried: autoPay }, { pay: payOrder }));
  const choice = useStore(store, (s) => s.choice);
  const phase = useStore(store, (s) => s.phase);
  const notice = useStore(store, (s) => s.notice);
  const payment = useStore(store, (s) => s.payment);
  const sends = useStore(store, (s) => s.sends);
  const unfinished = useStore(store, (s) => s.unfinished);
  const attempt = useStore(store, (s) => s.attempt);
  const [reads, setReads] = useState(0);
  const autoPaid = useRef(false);

  // A payment the provider is still processing: read it again until it has an answer.
  useEffect(() => {
    if (phase !== "processing" || !payment) return;
    let current = true;
    const timer = window.setTimeout(async () => {
      let read: PaymentRead;
      try {
        read = await readPayment(payment.id);
      } catch {
        read = { ok: false, message: "The shop cannot be reached. Still trying…" };
      }
      if (!current) return;
      store.getState().followed(read);
      setReads((n) => n + 1);
    }, FOLLOW_PAYMENT_EVERY_MS);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [store, phase, payment, reads]);

  useEffect(() => {
    if (phase === "charged" && payment) onCharged(payment);
  }, [phase, payment, onCharged]);

  const send = useCallback(async () => {
    await store.getState().pay();
    const { notice: after } = store.getState();
    if (after?.kind === "refused") onConflict?.();
    router.refresh(); // the order's payments, as the server now lists them
  }, [store, onConflict, router]);

  // The shopper pressed "Place order and pay" at checkout: pay with that choice as soon as the
  // order can be paid, without asking again (once, whatever renders this twice).
  useEffect(() => {
    if (!autoPay || autoPaid.current) return;
    autoPaid.current = true;
    void send();
  }, [autoPay, send]);

  // Checkout's attempt is over once it had a definite answer or another attempt replaced it (or
  // it never started: a card no longer saved).
  useEffect(() => {
    if (carried && attempt?.key !== carried.key) forgetCarriedPayment();
  }, [carried, attempt]);

  async function pay(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await send();
  }

  const busy = phase === "paying" || phase === "processing";

  if (phase === "charged") return null;
  return (
    <section aria-labelledby="pay-heading" className="flex flex-col gap-3 rounded border border-slate-300 p-4" data-testid="payment-form">
      <h2 id="pay-heading" className="text-lg font-semibold">Pay {formatMoney(total)}</h2>
      <form onSubmit={pay} className="flex flex-col gap-4">
        <PaymentChoiceFields methods={methods} choice={choice} onChoose={(next) => store.getState().choose(next)} disabled={busy} />
        {unfinished && !notice && phase === "choosing" && (
          <p role="status" className="rounded bg-amber-50 p-3 text-sm text-amber-900" data-testid="payment-unfinished">
            A payment of {formatMoney(unfinished.amount)} for this order was still being processed when you left. If paying now says
            the order is being paid, wait a moment: this page shows it once it is through.
          </p>
        )}
        {notice && (
          <div role="alert" className={`rounded border p-3 text-sm ${NOTICE_TONES[notice.kind]}`} data-testid="payment-notice" data-kind={notice.kind}>
            <p className="font-medium">{notice.message}</p>
            {notice.kind === "declined" && <p className="mt-1">Nothing was charged. Choose another card and pay again.</p>}
          </div>
        )}
        {busy && (
          <p role="status" className="rounded bg-sky-50 p-3 text-sm text-sky-900" data-testid="payment-pending" data-phase={phase}>
            {phase === "paying"
              ? `Processing your payment with ${choice ? choiceLabel(choice, methods) : "your card"}… This can take a few seconds; you will not be charged twice.`
              : "The card provider is still processing your payment; this page updates by itself."}
          </p>
        )}
        <button type="submit" disabled={busy || choice === null} className="self-start rounded bg-slate-900 px-6 py-2.5 font-medium text-white hover:bg-slate-700 disabled:opacity-60">
          {phase === "paying" ? (sends > 1 ? "Trying again…" : "Paying…") : phase === "processing" ? "Processing…" : notice?.kind === "retry" ? "Try again" : `Pay ${formatMoney(total)}`}
        </button>
      </form>
    </section>
  );
}
