"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { useStore } from "zustand";
import { payOrder, readPayment, type PaymentChoice, type PaymentRead } from "@/lib/actions/payments";
import type { Money, Payment, PaymentFailure, PaymentMethod } from "@/lib/api/types";
import { cardLabel, expiryLabel, TEST_CARDS } from "@/lib/cards";
import { formatMoney } from "@/lib/format";
import { createPaymentStore, type PaymentNotice } from "@/lib/stores/payment-store";
import { TestCardSelect } from "./test-card-select";

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
}

const NOTICE_TONES: Record<PaymentNotice["kind"], string> = {
  declined: "border-red-300 bg-red-50 text-red-800",
  refused: "border-red-300 bg-red-50 text-red-800",
  retry: "border-amber-300 bg-amber-50 text-amber-900",
};

const firstChoice = (methods: PaymentMethod[] | null): PaymentChoice =>
  methods && methods.length > 0 ? { methodId: methods[0]!.id } : { token: TEST_CARDS[0]!.token };

/** Pay for an order awaiting payment: a saved card or a one-off test card, one Idempotency-Key per attempt. */
export function PaymentStep({ orderId, total, methods, payments, lastFailure = null, onCharged, onConflict }: Props) {
  const router = useRouter();
  const [store] = useState(() => createPaymentStore(orderId, { choice: firstChoice(methods), payments, lastDecline: lastFailure?.message }, { pay: payOrder }));
  const choice = useStore(store, (s) => s.choice);
  const phase = useStore(store, (s) => s.phase);
  const notice = useStore(store, (s) => s.notice);
  const payment = useStore(store, (s) => s.payment);
  const sends = useStore(store, (s) => s.sends);
  const unfinished = useStore(store, (s) => s.unfinished);
  const [cardToken, setCardToken] = useState(TEST_CARDS[0]!.token);
  const [reads, setReads] = useState(0);

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

  async function pay(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await store.getState().pay();
    const { notice: after } = store.getState();
    if (after?.kind === "refused") onConflict?.();
    router.refresh(); // the order's payments, as the server now lists them
  }

  const chooseCard = (token: string) => {
    setCardToken(token);
    store.getState().choose({ token });
  };
  const busy = phase === "paying" || phase === "processing";
  const usingCard = choice !== null && "token" in choice;

  if (phase === "charged") return null;
  return (
    <section aria-labelledby="pay-heading" className="flex flex-col gap-3 rounded border border-slate-300 p-4" data-testid="payment-form">
      <h2 id="pay-heading" className="text-lg font-semibold">Pay {formatMoney(total)}</h2>
      <form onSubmit={pay} className="flex flex-col gap-4">
        <fieldset className="flex min-w-0 flex-col gap-2" disabled={busy}>
          <legend className="mb-1 text-sm font-medium">Pay with</legend>
          {(methods ?? []).map((m) => (
            <label key={m.id} className="flex cursor-pointer items-center gap-3 rounded border border-slate-200 p-3 text-sm has-[:checked]:border-slate-900">
              <input type="radio" name="pay_with" value={m.id} checked={choice !== null && "methodId" in choice && choice.methodId === m.id}
                onChange={() => store.getState().choose({ methodId: m.id })} className="h-4 w-4" />
              <span><strong>{cardLabel(m)}</strong> <span className="text-slate-600">expires {expiryLabel(m)}</span></span>
            </label>
          ))}
          <div className="flex flex-col gap-3 rounded border border-slate-200 p-3 text-sm has-[:checked]:border-slate-900">
            <label className="flex cursor-pointer items-center gap-3">
              <input type="radio" name="pay_with" value="card" checked={usingCard} onChange={() => chooseCard(cardToken)} className="h-4 w-4" />
              <span className="font-medium">A test card, this time only</span>
            </label>
            {usingCard && <TestCardSelect label="Test card" value={cardToken} onChange={chooseCard} />}
          </div>
          {methods === null && <p className="text-sm text-amber-800">Your saved cards cannot be shown right now; a test card still pays.</p>}
          {methods !== null && methods.length === 0 && (
            <p className="text-sm text-slate-600">No saved cards yet: <Link href="/account/payment-methods" className="underline">save one</Link> to pay in one step next time.</p>
          )}
        </fieldset>
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
        {phase === "processing" && (
          <p role="status" className="rounded bg-sky-50 p-3 text-sm text-sky-900" data-testid="payment-pending">
            The card provider is still processing your payment; this page updates by itself.
          </p>
        )}
        <button type="submit" disabled={busy || choice === null} className="self-start rounded bg-slate-900 px-6 py-2.5 font-medium text-white hover:bg-slate-700 disabled:opacity-60">
          {phase === "paying" ? (sends > 1 ? "Trying again…" : "Paying…") : phase === "processing" ? "Processing…" : notice?.kind === "retry" ? "Try again" : `Pay ${formatMoney(total)}`}
        </button>
      </form>
    </section>
  );
}
