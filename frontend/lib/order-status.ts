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
 * Only a pending order moves on its own soon (inventory reserves the stock or cancels it): follow
 * it until then; awaiting payment waits on the shopper, and the rest are final or the shop's doing.
 */
export const shouldFollow = (status: OrderStatus): boolean => status === "pending";

/** The shopper (and an admin) may cancel while the order is not yet paid. */
export const isCancellable = (status: OrderStatus): boolean => status === "pending" || status === "awaiting_payment";
