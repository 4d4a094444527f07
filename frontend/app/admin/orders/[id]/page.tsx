import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { OrderActions } from "@/components/admin/order-actions";
import { RefundForm } from "@/components/admin/refund-form";
import { LocalTime } from "@/components/layout/local-time";
import { OrderContents } from "@/components/orders/order-contents";
import { StatusBadge } from "@/components/orders/status-badge";
import { StatusTimeline } from "@/components/orders/status-timeline";
import { OrderPayments } from "@/components/payments/order-payments";
import { ApiError, orders, payments } from "@/lib/api";
import { CANCEL_REASON_LABELS } from "@/lib/order-status";
import { refundable } from "@/lib/payment-status";
import { requireAccessToken } from "@/lib/session/server";

export const metadata: Metadata = { title: "Admin · Order" };

type Props = { params: Promise<{ id: string }> };

export default async function AdminOrder({ params }: Props) {
  const { id } = await params;
  const token = await requireAccessToken(`/admin/orders/${id}`);
  const order = await orders.get(token, id).catch((error: unknown) => {
    if (error instanceof ApiError && (error.status === 404 || error.status === 422)) return null;
    throw error;
  });
  if (!order) notFound();
  const paid = await payments.listForOrder(token, order.id).catch(() => null);
  return (
    <div className="flex max-w-4xl flex-col gap-6">
      <div className="flex flex-col gap-1">
        <Link href="/admin/orders" className="text-sm underline">All orders</Link>
        <h1 className="text-2xl font-semibold">Order <span className="break-all font-mono text-lg">{order.id}</span></h1>
        <p className="text-sm text-slate-600">
          Placed <LocalTime iso={order.placedAt} /> by customer <span className="break-all font-mono">{order.userId}</span>
        </p>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <StatusBadge status={order.status} />
        {order.cancelReason && <span className="text-sm text-slate-600">({CANCEL_REASON_LABELS[order.cancelReason]})</span>}
        {order.status === "awaiting_payment" && order.payableUntil && <span className="text-sm text-slate-600">payable until <LocalTime iso={order.payableUntil} /></span>}
      </div>
      <OrderActions id={order.id} />
      <OrderPayments payments={paid} actions={(p) => (refundable(p).amountMinor > 0 ? <RefundForm payment={p} /> : null)} />
      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading" className="mb-2 font-semibold">Timeline</h2>
        <StatusTimeline history={order.history} />
      </section>
      <OrderContents order={order} />
    </div>
  );
}
