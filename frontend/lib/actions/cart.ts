"use server";

import { revalidatePath } from "next/cache";
import { cart } from "../api";
import { getSession, requireAccessToken } from "../session/server";
import { failed, text, type CartResult } from "./result";

const quantityOf = (form: FormData): number => Number.parseInt(text(form, "quantity"), 10);

/** Put a product in the cart; a signed-out shopper goes to log in and comes back to the product. */
export async function addToCart(_previous: CartResult, form: FormData): Promise<CartResult> {
  const token = await requireAccessToken(`/products/${encodeURIComponent(text(form, "slug"))}`);
  try {
    const updated = await cart.addItem(token, { sku: text(form, "sku"), quantity: quantityOf(form) });
    revalidatePath("/cart");
    return { ok: true, message: "Added to your cart.", fieldErrors: {}, itemCount: updated.itemCount };
  } catch (error) {
    return { ...failed(error), itemCount: null };
  }
}

/** Change a cart line's quantity (intent "update") or take it out (intent "remove"). */
export async function changeCartLine(_previous: CartResult, form: FormData): Promise<CartResult> {
  const token = await requireAccessToken("/cart");
  const sku = text(form, "sku");
  const removing = text(form, "intent") === "remove";
  try {
    const updated = removing ? await cart.removeItem(token, sku) : await cart.setQuantity(token, sku, quantityOf(form));
    revalidatePath("/cart");
    revalidatePath("/checkout");
    return { ok: true, message: removing ? "Removed from your cart." : "Quantity updated.", fieldErrors: {}, itemCount: updated.itemCount };
  } catch (error) {
    return { ...failed(error), itemCount: null };
  }
}

/** How many units the signed-in shopper's cart holds, for the header's badge (null: unknown). */
export async function readCartCount(): Promise<number | null> {
  const token = (await getSession())?.accessToken;
  if (!token) return null;
  try {
    return (await cart.getCart(token)).itemCount;
  } catch {
    return null; // the badge stays as it was; the cart page says what is wrong
  }
}
