import { request, type Schemas } from "./client";
import { toPaymentMethod, type PaymentMethod } from "./types";

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
