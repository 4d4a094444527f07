"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { ApiError, GatewayUnavailableError, orders, type Order } from "../api";
import { requireAccessToken } from "../session/server";
import { failed, text, type ActionResult } from "./result";

/**
 * What placing an order answered: placed (the order's id); "refused" for a definite no (409
 * empty cart or an item no longer sold, 422 no usable address), which a new attempt must change
 * something to get past; "retry" for anything else (the gateway or a function down, a 5xx): the
 * order may or may not exist, so the SAME key goes again and the API answers as it did or places it.
 */
export type PlaceOrderResult =
  | { outcome: "placed"; orderId: string }
  | { outcome: "retry"; message: string }
  | { outcome: "refused"; message: string; field: string | null };

/** Place the cart as an order, with the checkout attempt's Idempotency-Key. */
export async function placeOrder(idempotencyKey: string, shippingAddressId: string | null): Promise<PlaceOrderResult> {
  const token = await requireAccessToken("/checkout");
  try {
    const order = await orders.placeOrder(token, idempotencyKey, { shipping_address_id: shippingAddressId });
    revalidatePath("/cart");
    revalidatePath("/orders");
    return { outcome: "placed", orderId: order.id };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) redirect("/login?next=/checkout");
    if (error instanceof ApiError && (error.status === 409 || error.status === 422)) {
      const field = error.fieldErrors[0]?.field.replace(/^body\./, "") ?? null;
      return { outcome: "refused", message: error.detail, field };
    }
    if (error instanceof GatewayUnavailableError || error instanceof ApiError) {
      return { outcome: "retry", message: "The shop could not place your order just now. Try again: the order will not be placed twice." };
    }
    throw error;
  }
}

/** What following an order answered: its latest state, or why it could not be read this time. */
export type OrderRead = { ok: true; order: Order } | { ok: false; message: string };

/** The shopper's order as it is now (the order page polls this while the order is pending). */
export async function readMyOrder(id: string): Promise<OrderRead> {
  const token = await requireAccessToken(`/orders/${id}`);
  try {
    return { ok: true, order: await orders.getMine(token, id) };
  } catch (error) {
    return { ok: false, message: failed(error).message };
  }
}

/** Cancel the shopper's own order (409, shown, once it is past awaiting payment). */
export async function cancelMyOrder(id: string): Promise<OrderRead> {
  const token = await requireAccessToken(`/orders/${id}`);
  try {
    const order = await orders.cancelMine(token, id);
    revalidatePath("/orders");
    return { ok: true, order };
  } catch (error) {
    return { ok: false, message: failed(error).message };
  }
}

/** Admin: ship (intent "ship") or cancel (intent "cancel") an order; a 409 says the status does not allow it. */
export async function changeOrder(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const id = text(form, "id");
  const shipping = text(form, "intent") === "ship";
  const token = await requireAccessToken(`/admin/orders/${id}`);
  try {
    await (shipping ? orders.ship(token, id) : orders.cancel(token, id));
  } catch (error) {
    return failed(error);
  }
  revalidatePath("/admin/orders");
  revalidatePath(`/admin/orders/${id}`);
  return { ok: true, message: shipping ? "Order shipped." : "Order cancelled.", fieldErrors: {} };
}
