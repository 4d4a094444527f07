import type { ReactNode } from "react";
import type { Payment } from "@/lib/api/types";
import { PaymentList } from "./payment-list";

interface Props {
  /** The order's payments; null when they could not be read (the order still shows). */
  payments: Payment[] | null;
  /** What to offer beside a payment (the admin's refund form). */
  actions?: (payment: Payment) => ReactNode;
}

/** An order page's "Payments" section: the payments, or why there are none to show. */
export function OrderPayments({ payments, actions }: Props) {
  return (
    <section aria-labelledby="payments-heading" className="flex flex-col gap-2" data-testid="order-payments-section">
      <h2 id="payments-heading" className="font-semibold">Payments</h2>
      {payments === null ? (
        <p role="status" className="text-sm text-amber-800">The payments cannot be shown right now.</p>
      ) : payments.length === 0 ? (
        <p className="text-sm text-slate-600">No payments yet.</p>
      ) : (
        <PaymentList payments={payments} actions={actions} />
      )}
    </section>
  );
}
