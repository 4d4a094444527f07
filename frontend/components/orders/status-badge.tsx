import type { OrderStatus } from "@/lib/api/types";
import { STATUS_LABELS } from "@/lib/order-status";

const TONES: Record<OrderStatus, string> = {
  pending: "bg-amber-50 text-amber-900",
  awaiting_payment: "bg-sky-50 text-sky-900",
  paid: "bg-emerald-50 text-emerald-900",
  confirmed: "bg-emerald-50 text-emerald-900",
  shipped: "bg-emerald-100 text-emerald-900",
  cancelled: "bg-slate-100 text-slate-700",
  refunded: "bg-slate-100 text-slate-700",
};

export function StatusBadge({ status }: { status: OrderStatus }) {
  return (
    <span className={`inline-block rounded px-2 py-0.5 text-sm font-medium ${TONES[status]}`} data-testid="order-status" data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}
