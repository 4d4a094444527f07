"use server";

import { revalidatePath } from "next/cache";
import { accounts } from "../api";
import { requireAccessToken } from "../session/server";
import { failed, text, type ActionResult } from "./result";

/** Change the profile's name. */
export async function updateProfile(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const token = await requireAccessToken("/account");
  try {
    await accounts.updateMe(token, { name: text(form, "name") });
  } catch (error) {
    return failed(error);
  }
  revalidatePath("/account");
  return { ok: true, message: "Profile saved.", fieldErrors: {} };
}

/** Add an address to the book. */
export async function addAddress(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const token = await requireAccessToken("/account");
  try {
    await accounts.createAddress(token, {
      name: text(form, "name"),
      line1: text(form, "line1"),
      line2: text(form, "line2"),
      city: text(form, "city"),
      region: text(form, "region"),
      postal_code: text(form, "postal_code"),
      country: text(form, "country").toUpperCase(),
      phone: text(form, "phone"),
      is_default: form.get("is_default") === "on",
    });
  } catch (error) {
    return failed(error);
  }
  revalidatePath("/account");
  revalidatePath("/checkout"); // checkout adds addresses inline
  return { ok: true, message: "Address added.", fieldErrors: {} };
}

/** Remove an address. */
export async function removeAddress(form: FormData): Promise<void> {
  const token = await requireAccessToken("/account");
  await accounts.deleteAddress(token, text(form, "id"));
  revalidatePath("/account");
}

/** Make an address the default. */
export async function makeDefaultAddress(form: FormData): Promise<void> {
  const token = await requireAccessToken("/account");
  await accounts.updateAddress(token, text(form, "id"), { is_default: true });
  revalidatePath("/account");
}
