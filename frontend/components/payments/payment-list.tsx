import type { ReactNode } from "react";
import type { Payment } from "@/lib/api/types";
import { newestFirst, paidWith } from "@/lib/payment-status";
import { Price } from "@/components/catalog/price";
import { LocalTime } from "@/components/layout/local-time";
import { PaymentStatusBadge } from "./payment-status-badge";

interface Props {
  payments: Payment[];
  /** What to offer beside a payment (the admin's refund form). */
  actions?: (payment: Payment) => ReactNode;
}

/** An order's payments, newest first: the card, the amount, the status, a decline's reason, what was refunded. */
export function PaymentList({ payments, actions }: Props) {
  return (
    <ul className="flex flex-col divide-y divide-slate-200 border-y border-slate-200 text-sm" data-testid="payment-list">
      {newestFirst(payments).map((p) => (
        <li key={p.id} className="flex flex-col gap-2 py-3" data-testid="payment-row" data-payment-id={p.id} data-status={p.status}>
          <div className="flex flex-wrap items-center justify-between gap-2">
            <span>
              <Price money={p.amount} /> with {paidWith(p)} <PaymentStatusBadge status={p.status} />
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
