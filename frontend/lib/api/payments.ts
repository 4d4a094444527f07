import { request, type Schemas } from "./client";
import { toPayment, toPaymentMethod, type Payment, type PaymentMethod } from "./types";

const method = (id: string) => `/api/users/me/payment-methods/${encodeURIComponent(id)}`;

/** The signed-in user's saved cards, oldest first (at most 10: one page). */
export async function listMethods(token: string): Promise<PaymentMethod[]> {
  return (await request<Schemas["PaymentMethodList"]>("GET", "/api/users/me/payment-methods", { token })).items.map(toPaymentMethod);
}

/** Save a card by the provider's token (409 naming `token` past 10, 422 for an expired card or a card number anywhere). */
export async function addMethod(token: string, body: Schemas["AddPaymentMethod"]): Promise<PaymentMethod> {
  return toPaymentMethod(await request<Schemas["PaymentMethod"]>("POST", "/api/users/me/payment-methods", { token, body }));
}

/** Delete a saved card (404 for one that is not the caller's). */
export async function deleteMethod(token: string, id: string): Promise<void> {
  await request<void>("DELETE", method(id), { token });
}

/** What paying charges: a saved card, or a one-off provider token (exactly one of them). */
export type PayBody = Schemas["MakePayment"] & ({ payment_method_id: string; token?: never } | { token: string; payment_method_id?: never });

/** The provider may take its time (a slow card): wait longer than for other calls before giving up. */
export const PAY_TIMEOUT_MS = 30_000;

/**
 * Pay for an order awaiting payment. `idempotencyKey` is one per payment attempt: sending it
 * again (after a network error or a 503) answers as the first request did, never charging twice.
 * A decline is a 402 ApiError whose extensions hold `code` and `payment_id`; 409 when the order
 * is not awaiting payment, is paid, or a request with this key is still in progress.
 */
export async function pay(token: string, idempotencyKey: string, body: PayBody): Promise<Payment> {
  return toPayment(await request<Schemas["Payment"]>("POST", "/api/payments", {
    token, body, headers: { "Idempotency-Key": idempotencyKey }, timeoutMs: PAY_TIMEOUT_MS,
  }));
}

/** One payment (the payer's own, or any for an admin). */
export async function get(token: string, id: string): Promise<Payment> {
  return toPayment(await request<Schemas["Payment"]>("GET", `/api/payments/${encodeURIComponent(id)}`, { token }));
}

/** An order's payments (one's own order, or any for an admin). */
export async function listForOrder(token: string, orderId: string): Promise<Payment[]> {
  const page = await request<Schemas["PaymentList"]>("GET", `/api/orders/${encodeURIComponent(orderId)}/payments`, { token });
  return page.items.map(toPayment);
}

/**
 * Each order's payments, read side by side (order history shows them beside each order). Payments
 * answer on their own: an order whose payments could not be read maps to null, and the rest show.
 */
export async function listForOrders(token: string, orderIds: string[]): Promise<Map<string, Payment[] | null>> {
  const lists = await Promise.all(orderIds.map((id) => listForOrder(token, id).catch(() => null)));
  return new Map(orderIds.map((id, i) => [id, lists[i] ?? null]));
}

/** Refund a payment (admin): `amount_minor` left out refunds all that is left. One Idempotency-Key per refund attempt. */
export async function refund(token: string, idempotencyKey: string, id: string, body: Schemas["RefundPayment"]): Promise<Payment> {
  return toPayment(await request<Schemas["Payment"]>("POST", `/api/admin/payments/${encodeURIComponent(id)}/refund`, {
    token, body, headers: { "Idempotency-Key": idempotencyKey },
  }));
}
