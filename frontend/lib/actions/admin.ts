"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { catalog } from "../api";
import { majorToMinor } from "../format";
import { requireAccessToken } from "../session/server";
import { failed, text, type ActionResult } from "./result";

/** What the product form edits (whether it is in the shop is the status form's, once it exists). */
function productFields(form: FormData) {
  const imageUrl = text(form, "image_url");
  return {
    name: text(form, "name"),
    description: text(form, "description"),
    price: { amount_minor: majorToMinor(text(form, "price")) ?? -1, currency: text(form, "currency") || "USD" },
    category_id: text(form, "category_id") || null,
    images: imageUrl ? [{ url: imageUrl, alt: text(form, "image_alt") }] : [],
  };
}

/** Create a product (in the shop at once, or not yet), then open its edit page. */
export async function createProduct(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const token = await requireAccessToken("/admin/products/new");
  let id: string;
  try {
    id = (await catalog.createProduct(token, { sku: text(form, "sku"), ...productFields(form), active: form.get("active") === "on" })).id;
  } catch (error) {
    return failed(error);
  }
  revalidatePath("/admin/products");
  redirect(`/admin/products/${id}?created=1`);
}

/** Save a product's changes. */
export async function updateProduct(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const id = text(form, "id");
  const token = await requireAccessToken(`/admin/products/${id}`);
  try {
    await catalog.updateProduct(token, id, productFields(form));
  } catch (error) {
    return failed(error);
  }
  revalidatePath(`/admin/products/${id}`);
  return { ok: true, message: "Product saved.", fieldErrors: {} };
}

/**
 * Take a product out of the shop (intent "deactivate": search and its page, kept for order
 * history) or put it back (intent "activate").
 */
export async function setProductActive(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const id = text(form, "id");
  const activate = text(form, "intent") === "activate";
  const token = await requireAccessToken(`/admin/products/${id}`);
  try {
    if (activate) await catalog.updateProduct(token, id, { active: true });
    else await catalog.deactivateProduct(token, id);
  } catch (error) {
    return failed(error);
  }
  revalidatePath("/admin/products");
  revalidatePath(`/admin/products/${id}`);
  return { ok: true, message: activate ? "Product reactivated: it is in the shop again." : "Product deactivated: it has left the shop.", fieldErrors: {} };
}

/** Create a category. */
export async function createCategory(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const token = await requireAccessToken("/admin/categories");
  try {
    await catalog.createCategory(token, { name: text(form, "name"), parent_id: text(form, "parent_id") || null, description: text(form, "description") });
  } catch (error) {
    return failed(error);
  }
  revalidatePath("/admin/categories");
  return { ok: true, message: "Category created.", fieldErrors: {} };
}

/** Rename, describe or move a category. */
export async function updateCategory(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const token = await requireAccessToken("/admin/categories");
  try {
    await catalog.updateCategory(token, text(form, "id"), {
      name: text(form, "name"), description: text(form, "description"), parent_id: text(form, "parent_id") || null,
    });
  } catch (error) {
    return failed(error);
  }
  revalidatePath("/admin/categories");
  return { ok: true, message: "Category saved.", fieldErrors: {} };
}

/**
 * Take a category out of the shop (intent "deactivate": it and every category below it leave the
 * shop's navigation and listings; their products stay for sale) or put it back (intent "activate";
 * `hidden_by` names a deactivated category above it, which still hides it).
 */
export async function setCategoryActive(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const activate = text(form, "intent") === "activate";
  const token = await requireAccessToken("/admin/categories");
  try {
    await catalog.updateCategory(token, text(form, "id"), { active: activate });
  } catch (error) {
    return failed(error);
  }
  revalidatePath("/admin/categories");
  const hiddenBy = text(form, "hidden_by"); // the deactivated category above it, as the page showed it
  const message = !activate
    ? "Category deactivated: it and the categories below it have left the shop's navigation; their products are still for sale."
    : hiddenBy
      ? `Category reactivated, but it stays out of the shop while “${hiddenBy}” above it is inactive.`
      : "Category reactivated: it is in the shop's navigation again.";
  return { ok: true, message, fieldErrors: {} };
}

/** Delete an empty category. */
export async function deleteCategory(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const token = await requireAccessToken("/admin/categories");
  try {
    await catalog.deleteCategory(token, text(form, "id"));
  } catch (error) {
    return failed(error);
  }
  revalidatePath("/admin/categories");
  return { ok: true, message: "Category deleted.", fieldErrors: {} };
}
