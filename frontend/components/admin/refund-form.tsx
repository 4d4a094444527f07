"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { refundPayment, type RefundResult } from "@/lib/actions/payments";
import type { Payment } from "@/lib/api/types";
import { attemptAfter, attemptFor, sendAttempt, type Attempt } from "@/lib/checkout-attempt";
import { formatMoney, minorToMajor, typedToMinor } from "@/lib/format";
import { refundable } from "@/lib/payment-status";
import { Field } from "@/components/account/field";

const LOST_MESSAGE = "The connection dropped before the shop answered. Try again: it will not be refunded twice.";

/**
 * Refund all that is left of a payment, or a part of it typed in major units (sent as minor
 * units), with one Idempotency-Key per refund attempt: resent as it is after a dropped connection
 * or a 503, new for another amount or reason or after a definite answer.
 */
export function RefundForm({ payment }: { payment: Payment }) {
  const router = useRouter();
  const left = refundable(payment);
  const currency = payment.amount.currency;
  const [answer, setAnswer] = useState<RefundResult | null>(null);
  const [sending, setSending] = useState(false);
  const attempt = useRef<Attempt | null>(null);

  async function refund(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const typed = String(data.get("amount") ?? "").trim();
    const reason = String(data.get("reason") ?? "").trim();
    const amountMinor = typed === "" ? null : typedToMinor(typed, currency);
    if (amountMinor === undefined) {
      setAnswer({ outcome: "refused", message: "", field: "amount", fieldMessage: `Enter an amount in ${currency}, such as ${minorToMajor(left)}.` });
      return;
    }
    if (amountMinor !== null && amountMinor > left.amountMinor) {
      setAnswer({ outcome: "refused", message: "", field: "amount", fieldMessage: `At most ${formatMoney(left)} is left to refund.` });
      return;
    }
    const current = attemptFor(attempt.current, `${amountMinor ?? "all"}|${reason}`);
    attempt.current = current;
    setSending(true);
    setAnswer(null);
    const result = await sendAttempt(
      () => refundPayment(payment.id, payment.orderId, current.key, amountMinor, reason),
      (r) => r.outcome === "retry",
      (): RefundResult => ({ outcome: "retry", message: LOST_MESSAGE }),
    );
    attempt.current = attemptAfter(current, result.outcome);
    setAnswer(result);
    setSending(false);
    if (result.outcome === "refunded") {
      form.reset();
      router.refresh();
    }
  }

  const fieldError = (name: string) => (answer?.outcome === "refused" && answer.field === name ? answer.fieldMessage || answer.message : undefined);
  return (
    <form onSubmit={refund} className="flex flex-col gap-3 rounded bg-slate-50 p-3" data-testid="refund-form" aria-label="Refund this payment">
      {answer?.message && (
        <p role={answer.outcome === "refunded" ? "status" : "alert"} className={`rounded p-2 text-sm ${answer.outcome === "refunded" ? "bg-emerald-50 text-emerald-800" : "bg-red-50 text-red-800"}`}>
          {answer.message}
        </p>
      )}
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label={`Amount to refund (${currency})`} name="amount" error={fieldError("amount")}
          hint={`Leave empty to refund all that is left: ${formatMoney(left)}.`} />
        <Field label="Reason (optional)" name="reason" error={fieldError("reason")} />
      </div>
      <button type="submit" disabled={sending} className="self-start rounded border border-slate-900 px-4 py-2 text-sm font-medium hover:bg-white disabled:opacity-60">
        {sending ? "Refunding…" : answer?.outcome === "retry" ? "Try again" : "Refund"}
      </button>
    </form>
  );
}
