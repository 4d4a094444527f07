import type { ReactNode } from "react";
import type { Payment, PaymentStatus } from "@/lib/api/types";
import { PAYMENT_STATUS_LABELS, paidWith } from "@/lib/payment-status";
import { Price } from "@/components/catalog/price";
import { LocalTime } from "@/components/layout/local-time";

const TONES: Record<PaymentStatus, string> = {
  processing: "bg-sky-50 text-sky-900",
  completed: "bg-emerald-50 text-emerald-900",
  failed: "bg-red-50 text-red-800",
  partially_refunded: "bg-amber-50 text-amber-900",
  refunded: "bg-slate-100 text-slate-700",
};

interface Props {
  payments: Payment[];
  /** What to offer beside a payment (the admin's refund form). */
  actions?: (payment: Payment) => ReactNode;
}

/** An order's payments, newest first: the card, the amount, the status, a decline's reason, what was refunded. */
export function PaymentList({ payments, actions }: Props) {
  const newest = [...payments].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <ul className="flex flex-col divide-y divide-slate-200 border-y border-slate-200 text-sm" data-testid="payment-list">
      {newest.map((p) => (
        <li key={p.id} className="flex flex-col gap-2 py-3" data-testid="payment-row" data-payment-id={p.id} data-status={p.status}>
          <div className="flex flex-wrap items-center justify-between gap-2">
            <span>
              <Price money={p.amount} /> with {paidWith(p)}
              <span className={`ml-2 inline-block rounded px-1.5 py-0.5 text-xs font-medium ${TONES[p.status]}`} data-testid="payment-status">
                {PAYMENT_STATUS_LABELS[p.status]}
              </span>
            </span>
            <span className="text-slate-500"><LocalTime iso={p.completedAt ?? p.createdAt} /></span>
          </div>
          {p.status === "failed" && p.failureMessage && <p className="text-red-800">{p.failureMessage}</p>}
          {p.refunded.amountMinor > 0 && (
            <p className="text-slate-600" data-testid="payment-refunded">Refunded <Price money={p.refunded} /></p>
          )}
          {actions?.(p)}
        </li>
      ))}
    </ul>
  );
}
