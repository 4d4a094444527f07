import Link from "next/link";
import type { OrderSummary, Payment } from "@/lib/api/types";
import { Price } from "@/components/catalog/price";
import { LocalTime } from "@/components/layout/local-time";
import { PaymentSummary } from "@/components/payments/payment-summary";
import { StatusBadge } from "./status-badge";

interface Props {
  orders: OrderSummary[];
  hrefOf: (order: OrderSummary) => string;
  showCustomer?: boolean;
  /** Each order's payments, for a Payment column (an order left out was not asked; null: not readable). */
  payments?: ReadonlyMap<string, Payment[] | null>;
}

/** A page of orders, newest first: when placed, status, (payments,) total, a link to each. */
export function OrderTable({ orders, hrefOf, showCustomer = false, payments }: Props) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="order-table">
        <thead className="border-b border-slate-300 text-slate-500">
          <tr>
            <th className="py-2">Order</th>
            <th>Placed</th>
            {showCustomer && <th>Customer</th>}
            <th>Status</th>
            {payments && <th>Payment</th>}
            <th className="text-right">Total</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200">
          {orders.map((o) => (
            <tr key={o.id} data-testid="order-row" data-order-id={o.id}>
              <td className="py-2"><Link href={hrefOf(o)} className="font-mono underline">{o.id.slice(0, 8)}</Link></td>
              <td><LocalTime iso={o.placedAt} /></td>
              {showCustomer && <td className="font-mono text-xs">{o.userId.slice(0, 8)}</td>}
              <td><StatusBadge status={o.status} /></td>
              {payments && <td className="py-2 text-xs"><PaymentSummary payments={payments.get(o.id)} /></td>}
              <td className="text-right"><Price money={o.total} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
