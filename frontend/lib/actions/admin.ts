"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { catalog } from "../api";
import { majorToMinor } from "../format";
import { requireAccessToken } from "../session/server";
import { failed, text, type ActionResult } from "./result";

function productFields(form: FormData) {
  const imageUrl = text(form, "image_url");
  return {
    name: text(form, "name"),
    description: text(form, "description"),
    price: { amount_minor: majorToMinor(text(form, "price")) ?? -1, currency: text(form, "currency") || "USD" },
    category_id: text(form, "category_id") || null,
    images: imageUrl ? [{ url: imageUrl, alt: text(form, "image_alt") }] : [],
    active: form.get("active") === "on",
  };
}

/** Create a product, then open its edit page. */
export async function createProduct(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const token = await requireAccessToken("/admin/products/new");
  let id: string;
  try {
    id = (await catalog.createProduct(token, { sku: text(form, "sku"), ...productFields(form) })).id;
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

/** Deactivate a product (it leaves the storefront). */
export async function deactivateProduct(form: FormData): Promise<void> {
  const id = text(form, "id");
  const token = await requireAccessToken("/admin/products");
  await catalog.deactivateProduct(token, id);
  revalidatePath("/admin/products");
  redirect(`/admin/products/${id}`);
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

/** Rename or move a category. */
export async function updateCategory(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const token = await requireAccessToken("/admin/categories");
  try {
    await catalog.updateCategory(token, text(form, "id"), { name: text(form, "name"), parent_id: text(form, "parent_id") || null });
  } catch (error) {
    return failed(error);
  }
  revalidatePath("/admin/categories");
  return { ok: true, message: "Category saved.", fieldErrors: {} };
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
