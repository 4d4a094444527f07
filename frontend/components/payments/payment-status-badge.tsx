import type { PaymentStatus } from "@/lib/api/types";
import { PAYMENT_STATUS_LABELS } from "@/lib/payment-status";

const TONES: Record<PaymentStatus, string> = {
  processing: "bg-sky-50 text-sky-900",
  completed: "bg-emerald-50 text-emerald-900",
  failed: "bg-red-50 text-red-800",
  partially_refunded: "bg-amber-50 text-amber-900",
  refunded: "bg-slate-100 text-slate-700",
};

/** A payment's status as a small coloured label ("Paid", "Declined", "Partly refunded"…). */
export function PaymentStatusBadge({ status }: { status: PaymentStatus }) {
  return (
    <span className={`inline-block rounded px-1.5 py-0.5 text-xs font-medium ${TONES[status]}`} data-testid="payment-status">
      {PAYMENT_STATUS_LABELS[status]}
    </span>
  );
}
