"use server";

import { revalidatePath } from "next/cache";
import { inventory } from "../api";
import { requireAccessToken } from "../session/server";
import { failed, text, type ActionResult } from "./result";

const refused = (field: string, message: string): ActionResult => ({ ok: false, message: "Check the marked field.", fieldErrors: { [field]: message } });

/** A whole number from a form field, or null (empty or not a whole number). */
function whole(form: FormData, name: string): number | null {
  const value = text(form, name);
  return /^[+-]?\d{1,10}$/.test(value) ? Number(value) : null;
}

function changed(): void {
  revalidatePath("/admin/stock");
  revalidatePath("/admin/stock/warehouses");
  revalidatePath("/admin/stock/movements");
}

/** Create a warehouse (a taken code is a 409 on `code`). */
export async function createWarehouse(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const token = await requireAccessToken("/admin/stock/warehouses");
  let code: string;
  try {
    code = (await inventory.createWarehouse(token, { code: text(form, "code").toUpperCase(), name: text(form, "name"), address: text(form, "address") })).code;
  } catch (error) {
    return failed(error);
  }
  changed();
  return { ok: true, message: `Warehouse ${code} created.`, fieldErrors: {} };
}

/** Rename a warehouse, or (de)activate it (intent "activate" / "deactivate"). */
export async function updateWarehouse(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const token = await requireAccessToken("/admin/stock/warehouses");
  const intent = text(form, "intent");
  const body = intent === "rename" ? { name: text(form, "name"), address: text(form, "address") } : { active: intent === "activate" };
  let message: string;
  try {
    const warehouse = await inventory.updateWarehouse(token, text(form, "id"), body);
    message = intent === "rename" ? `Warehouse ${warehouse.code} saved.` : `Warehouse ${warehouse.code} ${warehouse.active ? "activated" : "deactivated"}.`;
  } catch (error) {
    return failed(error);
  }
  changed();
  return { ok: true, message, fieldErrors: {} };
}

/** An optional low-stock threshold: undefined when empty, NaN when not a whole number ≥ 0. */
function threshold(form: FormData): number | null | undefined {
  if (text(form, "low_stock_threshold") === "") return undefined;
  const value = whole(form, "low_stock_threshold");
  return value !== null && value >= 0 ? value : null;
}

/** Receive units of a SKU into a warehouse (422 on `sku` for one the catalog does not sell). */
export async function receiveStock(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const token = await requireAccessToken("/admin/stock");
  const quantity = whole(form, "quantity");
  if (quantity === null || quantity < 1) return refused("quantity", "Enter a whole number of units, at least 1.");
  const limit = threshold(form);
  if (limit === null) return refused("low_stock_threshold", "Enter a whole number, 0 or more (or leave it empty).");
  const sku = text(form, "sku").toUpperCase();
  let available: number;
  try {
    available = (await inventory.receive(token, {
      warehouse_id: text(form, "warehouse_id"), sku, quantity, reason: text(form, "reason"), ...(limit === undefined ? {} : { low_stock_threshold: limit }),
    })).available;
  } catch (error) {
    return failed(error);
  }
  changed();
  return { ok: true, message: `Received ${quantity} of ${sku}: ${available} available in that warehouse.`, fieldErrors: {} };
}

/** Correct a level by a signed delta (409 on `delta` when it would drop below what is reserved). */
export async function adjustStock(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const token = await requireAccessToken("/admin/stock");
  const delta = whole(form, "delta");
  if (delta === null || delta === 0) return refused("delta", "Enter a whole number other than 0: negative to remove units, positive to add.");
  const limit = threshold(form);
  if (limit === null) return refused("low_stock_threshold", "Enter a whole number, 0 or more (or leave it empty).");
  const sku = text(form, "sku").toUpperCase();
  let available: number;
  try {
    available = (await inventory.adjust(token, {
      warehouse_id: text(form, "warehouse_id"), sku, delta, reason: text(form, "reason"), ...(limit === undefined ? {} : { low_stock_threshold: limit }),
    })).available;
  } catch (error) {
    return failed(error);
  }
  changed();
  return { ok: true, message: `Adjusted ${sku} by ${delta > 0 ? "+" : ""}${delta}: ${available} available in that warehouse.`, fieldErrors: {} };
}
