import type { Payment } from "@/lib/api/types";
import { newestFirst, paidWith } from "@/lib/payment-status";
import { Price } from "@/components/catalog/price";
import { PaymentStatusBadge } from "./payment-status-badge";

/**
 * An order's payments in a line each, for a list of orders: status, card, amount and what was
 * refunded. `undefined`: not asked (an order still pending cannot have been paid); null: they
 * could not be read this time.
 */
export function PaymentSummary({ payments }: { payments: Payment[] | null | undefined }) {
  if (payments === undefined) return <span className="text-slate-400">—</span>;
  if (payments === null) return <span className="text-amber-800" data-testid="order-payments-unavailable">Cannot be shown right now</span>;
  if (payments.length === 0) return <span className="text-slate-500" data-testid="order-payments">None yet</span>;
  return (
    <ul className="flex flex-col gap-1" data-testid="order-payments">
      {newestFirst(payments).map((p) => (
        <li key={p.id} className="flex flex-wrap items-center gap-x-2" data-testid="order-payment" data-status={p.status}>
          <PaymentStatusBadge status={p.status} />
          <span>{paidWith(p)}</span>
          <Price money={p.amount} />
          {p.refunded.amountMinor > 0 && <span className="text-slate-600" data-testid="payment-refunded">refunded <Price money={p.refunded} /></span>}
        </li>
      ))}
    </ul>
  );
}
