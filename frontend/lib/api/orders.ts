import type { paths } from "./schema";
import { request, type Schemas } from "./client";
import { toOrder, toOrderPage, type Order, type OrderPage } from "./types";

export type MyOrdersQuery = NonNullable<paths["/api/orders"]["get"]["parameters"]["query"]>;
export type OrderSearch = NonNullable<paths["/api/admin/orders"]["get"]["parameters"]["query"]>;

/**
 * Place an order from the cart. `idempotencyKey` is one per intended order: sending the same
 * key again (after a network error or a 503) replays the first answer instead of placing twice.
 */
export async function placeOrder(token: string, idempotencyKey: string, body: Schemas["PlaceOrder"]): Promise<Order> {
  return toOrder(await request<Schemas["Order"]>("POST", "/api/orders", { token, body, headers: { "Idempotency-Key": idempotencyKey } }));
}

/** The signed-in user's orders, newest first. */
export async function listMine(token: string, query: MyOrdersQuery): Promise<OrderPage> {
  return toOrderPage(await request<Schemas["OrderPage"]>("GET", "/api/orders", { token, query }));
}

/** One of the signed-in user's orders (404 for anyone else's). */
export async function getMine(token: string, id: string): Promise<Order> {
  return toOrder(await request<Schemas["Order"]>("GET", `/api/orders/${encodeURIComponent(id)}`, { token }));
}

/** Cancel one's own order while pending or awaiting payment (409 otherwise). */
export async function cancelMine(token: string, id: string): Promise<Order> {
  return toOrder(await request<Schemas["Order"]>("POST", `/api/orders/${encodeURIComponent(id)}/cancel`, { token }));
}

/** Every order, newest first, filtered (admin). */
export async function search(token: string, query: OrderSearch): Promise<OrderPage> {
  return toOrderPage(await request<Schemas["OrderPage"]>("GET", "/api/admin/orders", { token, query }));
}

/** Any order (admin). */
export async function get(token: string, id: string): Promise<Order> {
  return toOrder(await request<Schemas["Order"]>("GET", `/api/admin/orders/${encodeURIComponent(id)}`, { token }));
}

/** Mark a confirmed order shipped (admin; 409 from any other status). */
export async function ship(token: string, id: string): Promise<Order> {
  return toOrder(await request<Schemas["Order"]>("POST", `/api/admin/orders/${encodeURIComponent(id)}/ship`, { token }));
}

/** Cancel an order pending or awaiting payment (admin; 409 otherwise). */
export async function cancel(token: string, id: string): Promise<Order> {
  return toOrder(await request<Schemas["Order"]>("POST", `/api/admin/orders/${encodeURIComponent(id)}/cancel`, { token }));
}
