import type { CancelReason, OrderStatus } from "./api/types";

export const STATUS_LABELS: Record<OrderStatus, string> = {
  pending: "Placed, checking stock",
  awaiting_payment: "Awaiting payment",
  paid: "Paid",
  confirmed: "Confirmed",
  shipped: "Shipped",
  cancelled: "Cancelled",
  refunded: "Refunded",
};

export const CANCEL_REASON_LABELS: Record<CancelReason, string> = {
  customer: "by the customer",
  admin: "by the shop",
  out_of_stock: "an item was out of stock",
  payment_timeout: "not paid in time",
};

/** A status change's reason for people (the cancel reasons have labels; anything else as it is). */
export const reasonLabel = (reason: string): string =>
  Object.hasOwn(CANCEL_REASON_LABELS, reason) ? CANCEL_REASON_LABELS[reason as CancelReason] : reason.replace(/_/g, " ");

/**
 * Follow an order while it moves on by itself soon: pending (inventory reserves the stock or
 * cancels it), paid (confirmed once its stock is committed), and awaiting payment once a payment
 * has been taken (payments tells orders). Otherwise awaiting payment waits on the shopper, and
 * the rest are final or the shop's doing.
 */
export const shouldFollow = (status: OrderStatus, paymentTaken = false): boolean =>
  status === "pending" || status === "paid" || (paymentTaken && status === "awaiting_payment");

/** The shopper (and an admin) may cancel while the order is not yet paid. */
export const isCancellable = (status: OrderStatus): boolean => status === "pending" || status === "awaiting_payment";
