import type { Money, Payment, PaymentStatus } from "./api/types";
import { cardLabel } from "./cards";

export const PAYMENT_STATUS_LABELS: Record<PaymentStatus, string> = {
  processing: "Processing",
  completed: "Paid",
  failed: "Declined",
  partially_refunded: "Partly refunded",
  refunded: "Refunded",
};

/** A payment that took the money (whatever has been refunded since). */
export const hasSucceeded = (p: Payment): boolean => p.status === "completed" || p.status === "partially_refunded" || p.status === "refunded";

/** What is left to refund of a payment: nothing unless it succeeded. */
export function refundable(p: Payment): Money {
  const left = p.status === "completed" || p.status === "partially_refunded" ? p.amount.amountMinor - p.refunded.amountMinor : 0;
  return { amountMinor: Math.max(left, 0), currency: p.amount.currency };
}

/** How the card a payment was charged to reads: as the provider knows it, or what kind of card it was. */
export function paidWith(p: Payment): string {
  if (p.card) return cardLabel(p.card);
  return p.paymentMethodId ? "a saved card" : "a one-off card";
}

/** An order's payments, newest first (the API lists them oldest first). */
export const newestFirst = (payments: Payment[]): Payment[] => [...payments].sort((a, b) => b.createdAt.localeCompare(a.createdAt));

/** The order's payment that took the money, if any (the newest first). */
export const succeededPayment = (payments: Payment[]): Payment | null => newestFirst(payments).find(hasSucceeded) ?? null;

/** The order's payment still waiting on the provider, if any. */
export const processingPayment = (payments: Payment[]): Payment | null => payments.find((p) => p.status === "processing") ?? null;
