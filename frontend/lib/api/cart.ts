import { request, type Schemas } from "./client";
import { toCart, type Cart } from "./types";

const item = (sku: string) => `/api/cart/items/${encodeURIComponent(sku)}`;

/** The signed-in user's cart (empty until something is added). */
export async function getCart(token: string): Promise<Cart> {
  return toCart(await request<Schemas["Cart"]>("GET", "/api/cart", { token }));
}

/** Add `quantity` of a SKU (added to what is there, at most 99); 422 for a SKU not for sale. */
export async function addItem(token: string, body: Schemas["AddCartItem"]): Promise<Cart> {
  return toCart(await request<Schemas["Cart"]>("POST", "/api/cart/items", { token, body }));
}

/** Set a line's quantity (1 to 99). */
export async function setQuantity(token: string, sku: string, quantity: number): Promise<Cart> {
  return toCart(await request<Schemas["Cart"]>("PATCH", item(sku), { token, body: { quantity } }));
}

/** Take a line out of the cart. */
export async function removeItem(token: string, sku: string): Promise<Cart> {
  return toCart(await request<Schemas["Cart"]>("DELETE", item(sku), { token }));
}
