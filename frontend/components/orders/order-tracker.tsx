"use client";

import { useState } from "react";
import type { OrderRead } from "@/lib/actions/orders";
import type { Order, Payment, PaymentMethod } from "@/lib/api/types";
import { formatMoney } from "@/lib/format";
import { CANCEL_REASON_LABELS, isCancellable } from "@/lib/order-status";
import type { CarriedPayment } from "@/lib/payment-choice";
import { paidWith, succeededPayment } from "@/lib/payment-status";
import { LocalTime } from "@/components/layout/local-time";
import { PaymentStep } from "@/components/payments/payment-step";
import { StatusBadge } from "./status-badge";
import { StatusTimeline } from "./status-timeline";
import { useFollowedOrder } from "./use-followed-order";

interface Props {
  initial: Order;
  read: (id: string) => Promise<OrderRead>;
  cancel: (id: string) => Promise<OrderRead>;
  /** The order's payments (null: they could not be read); left out, the page offers no payment step. */
  payments?: Payment[] | null;
  /** The shopper's saved cards for the payment step (null: they could not be read). */
  methods?: PaymentMethod[] | null;
  /** The payment chosen at checkout, paid with as soon as the order awaits payment. */
  carried?: CarriedPayment | null;
}

/**
 * The order's status as it changes (followed while it moves on by itself), the payment step while
 * it awaits payment, its timeline, and Cancel while allowed.
 */
export function OrderTracker({ initial, read, cancel, payments, methods = null, carried = null }: Props) {
  const [taken, setTaken] = useState<Payment | null>(() => succeededPayment(payments ?? []));
  const { order, setOrder, problem, following, refresh } = useFollowedOrder(initial, read, taken !== null);
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState("");

  async function cancelOrder() {
    setCancelling(true);
    setCancelError("");
    try {
      const answer = await cancel(order.id);
      if (answer.ok) setOrder(answer.order);
      else setCancelError(answer.message);
    } catch {
      setCancelError("The shop cannot be reached. Try again in a moment.");
    } finally {
      setCancelling(false);
    }
  }

  return (
    <section aria-labelledby="status-heading" className="flex flex-col gap-4">
      <h2 id="status-heading" className="sr-only">Status</h2>
      <div className="flex flex-wrap items-center gap-3" aria-live="polite">
        <StatusBadge status={order.status} />
        {order.cancelReason && <span className="text-sm text-slate-600">({CANCEL_REASON_LABELS[order.cancelReason]})</span>}
        {following && order.status === "pending" && <span className="text-sm text-slate-500">We are checking stock; this page updates by itself.</span>}
      </div>
      {order.status === "awaiting_payment" && order.payableUntil && !taken && (
        <p className="rounded bg-sky-50 p-3 text-sm text-sky-900" data-testid="payable-until">
          Your items are reserved until <LocalTime iso={order.payableUntil} />. Pay before then, or the order is cancelled.
        </p>
      )}
      {order.status === "awaiting_payment" && payments !== undefined && !taken && (
        <PaymentStep orderId={order.id} total={order.total} methods={methods} payments={payments ?? []} lastFailure={initial.lastPaymentFailure}
          onCharged={setTaken} onConflict={refresh} carried={carried} />
      )}
      {taken && (order.status === "awaiting_payment" || order.status === "paid") && (
        <p role="status" className="rounded bg-sky-50 p-3 text-sm text-sky-900" data-testid="payment-processing">
          Payment of {formatMoney(taken.amount)} with {paidWith(taken)} received. We are confirming your order; this page updates by itself.
        </p>
      )}
      {taken && order.status === "confirmed" && (
        <p className="rounded bg-emerald-50 p-3 text-sm text-emerald-900" data-testid="payment-confirmed">
          Paid {formatMoney(taken.amount)} with {paidWith(taken)}. Your order is confirmed.
        </p>
      )}
      {order.status === "cancelled" && order.cancelReason === "out_of_stock" && (
        <p role="alert" className="rounded bg-red-50 p-3 text-sm text-red-800" data-testid="out-of-stock">
          Sorry: we did not have enough stock for an item in this order, so it was cancelled. Nothing was charged; you can order
          again once it is back in stock.
        </p>
      )}
      {problem && <p role="status" className="text-sm text-amber-800">{problem}</p>}
      <StatusTimeline history={order.history} />
      {isCancellable(order.status) && !taken && (
        <div className="flex flex-col items-start gap-2">
          <button type="button" onClick={cancelOrder} disabled={cancelling} className="rounded border border-red-700 px-3 py-1.5 text-sm text-red-700 hover:bg-red-50 disabled:opacity-60">
            {cancelling ? "Cancelling…" : "Cancel order"}
          </button>
        </div>
      )}
      {cancelError && <p role="alert" className="text-sm text-red-700">{cancelError}</p>}
    </section>
  );
}
