"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { ApiError, GatewayUnavailableError, payments, type Payment } from "../api";
import type { PayBody } from "../api/payments";
import { cardLabel, methodFor, testCard } from "../cards";
import { formatMoney } from "../format";
import { hasSucceeded, refundable, succeededPayment } from "../payment-status";
import { requireAccessToken } from "../session/server";
import { failed, text, type ActionResult } from "./result";

const METHODS_PAGE = "/account/payment-methods";

/** Save the test card the shopper chose, by its token (the shop never handles a card number). */
export async function addPaymentMethod(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const token = await requireAccessToken(METHODS_PAGE);
  const card = testCard(text(form, "token"));
  if (!card) return { ok: false, message: "Choose one of the test cards.", fieldErrors: { token: "Choose one of the test cards." } };
  let saved;
  try {
    saved = await payments.addMethod(token, methodFor(card));
  } catch (error) {
    return failed(error);
  }
  revalidatePath(METHODS_PAGE);
  return { ok: true, message: `${cardLabel(saved)} saved.`, fieldErrors: {} };
}

/** Delete one of the shopper's saved cards. */
export async function removePaymentMethod(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const token = await requireAccessToken(METHODS_PAGE);
  try {
    await payments.deleteMethod(token, text(form, "id"));
  } catch (error) {
    return failed(error);
  }
  revalidatePath(METHODS_PAGE);
  return { ok: true, message: "Card removed.", fieldErrors: {} };
}

/** What pays: one of the shopper's saved cards, or a one-off test card's token. */
export type PaymentChoice = { methodId: string } | { token: string };

/**
 * What paying answered. "charged": the payment was taken (or the provider is still at it:
 * status processing). "declined": a definite no for this card (402), shown as the API says it;
 * another card is a new attempt. "retry": the answer was lost or payments/the provider did not
 * answer (a dropped connection, 503, a 5xx), so the SAME key goes again. "conflict": 409, the
 * order is not awaiting payment or a request with this key is still in progress. "refused":
 * anything else the API turned down (422 names the field).
 */
export type PayResult =
  | { outcome: "charged"; payment: Payment }
  | { outcome: "declined"; message: string; code: string | null; paymentId: string | null }
  | { outcome: "retry"; message: string }
  | { outcome: "conflict"; message: string }
  | { outcome: "refused"; message: string; field: string | null };

const RETRY_MESSAGE = "The payment could not be confirmed just now. Try again: you will not be charged twice.";
const DECLINED_MESSAGE = "Your card was declined.";

const bodyFor = (orderId: string, choice: PaymentChoice): PayBody =>
  "methodId" in choice ? { order_id: orderId, payment_method_id: choice.methodId } : { order_id: orderId, token: choice.token };

const fieldOf = (error: ApiError) => error.fieldErrors[0]?.field.replace(/^body\./, "") ?? null;
const extension = (error: ApiError, name: string) => (typeof error.extensions[name] === "string" ? (error.extensions[name] as string) : null);

/** A charged payment as an answer: a payment the provider failed reads as the decline it is. */
function charged(payment: Payment): PayResult {
  if (payment.status === "failed") {
    return { outcome: "declined", message: payment.failureMessage ?? DECLINED_MESSAGE, code: payment.failureCode, paymentId: payment.id };
  }
  return { outcome: "charged", payment };
}

/** Pay for the shopper's order with the payment attempt's Idempotency-Key. */
export async function payOrder(orderId: string, idempotencyKey: string, choice: PaymentChoice): Promise<PayResult> {
  const next = `/orders/${orderId}`;
  const token = await requireAccessToken(next);
  try {
    const result = charged(await payments.pay(token, idempotencyKey, bodyFor(orderId, choice)));
    revalidatePath(next);
    return result;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) redirect(`/login?next=${encodeURIComponent(next)}`);
    if (error instanceof ApiError && error.status === 402) {
      revalidatePath(next);
      return { outcome: "declined", message: error.detail || DECLINED_MESSAGE, code: extension(error, "code"), paymentId: extension(error, "payment_id") };
    }
    if (error instanceof ApiError && error.status === 409) {
      // Paid already (in another tab, say)? Then that payment is the answer. A request with this
      // key (or another payment of the order) still at the provider: the same key again, shortly.
      // Anything else (cancelled, not awaiting payment) is a definite no.
      const known = await payments.listForOrder(token, orderId).catch(() => []);
      const taken = succeededPayment(known);
      if (taken) return { outcome: "charged", payment: taken };
      const inFlight = fieldOf(error) === "Idempotency-Key" || known.some((p) => p.status === "processing");
      return inFlight ? { outcome: "conflict", message: error.detail } : { outcome: "refused", message: error.detail, field: fieldOf(error) };
    }
    if (error instanceof ApiError && error.status < 500) return { outcome: "refused", message: error.detail, field: fieldOf(error) };
    if (error instanceof GatewayUnavailableError || error instanceof ApiError) return { outcome: "retry", message: RETRY_MESSAGE };
    throw error;
  }
}

/** What reading a payment answered: the payment as it is now, or why it could not be read this time. */
export type PaymentRead = { ok: true; payment: Payment } | { ok: false; message: string };

/** A payment as it is now (the payment step follows one the provider is still processing). */
export async function readPayment(id: string): Promise<PaymentRead> {
  const token = await requireAccessToken("/orders");
  try {
    return { ok: true, payment: await payments.get(token, id) };
  } catch (error) {
    return { ok: false, message: failed(error).message };
  }
}

/** What refunding answered: as for paying, "retry" sends the SAME key again. */
export type RefundResult =
  | { outcome: "refunded"; payment: Payment; message: string }
  | { outcome: "retry"; message: string }
  | { outcome: "refused"; message: string; field: string | null; fieldMessage: string };

/** Admin: refund `amountMinor` of a payment (null: all that is left), with the refund attempt's Idempotency-Key. */
export async function refundPayment(paymentId: string, orderId: string, idempotencyKey: string, amountMinor: number | null, reason: string): Promise<RefundResult> {
  const page = `/admin/orders/${orderId}`;
  const token = await requireAccessToken(page);
  const body: { amount_minor?: number; reason?: string } = {};
  if (amountMinor !== null) body.amount_minor = amountMinor;
  if (reason.trim()) body.reason = reason.trim();
  let payment: Payment;
  try {
    payment = await payments.refund(token, idempotencyKey, paymentId, body);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) redirect(`/login?next=${encodeURIComponent(page)}`);
    if (error instanceof ApiError && error.status < 500) {
      const field = fieldOf(error);
      const fieldMessage = error.fieldErrors[0]?.message ?? "";
      return { outcome: "refused", message: error.detail, field: field === "amount_minor" ? "amount" : field, fieldMessage };
    }
    if (error instanceof GatewayUnavailableError || error instanceof ApiError) {
      return { outcome: "retry", message: "The refund could not be confirmed just now. Try again: it will not be refunded twice." };
    }
    throw error;
  }
  revalidatePath(page);
  revalidatePath("/admin/orders");
  const left = refundable(payment);
  const message = `Refunded ${formatMoney(payment.refunded)} in all${hasSucceeded(payment) && left.amountMinor > 0 ? `; ${formatMoney(left)} left to refund` : ""}.`;
  return { outcome: "refunded", payment, message };
}
