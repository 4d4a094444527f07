"use server";

import { revalidatePath } from "next/cache";
import { payments } from "../api";
import { cardLabel, methodFor, testCard } from "../cards";
import { requireAccessToken } from "../session/server";
import { failed, text, type ActionResult } from "./result";

const METHODS_PAGE = "/account/payment-methods";

/** Save the test card the shopper chose, by its token (the shop never handles a card number). */
export async function addPaymentMethod(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const token = await requireAccessToken(METHODS_PAGE);
  const card = testCard(text(form, "token"));
  if (!card) return { ok: false, message: "Choose one of the test cards.", fieldErrors: { token: "Choose one of the test cards." } };
  let saved;
  try {
    saved = await payments.addMethod(token, methodFor(card));
  } catch (error) {
    return failed(error);
  }
  revalidatePath(METHODS_PAGE);
  return { ok: true, message: `${cardLabel(saved)} saved.`, fieldErrors: {} };
}

/** Delete one of the shopper's saved cards. */
export async function removePaymentMethod(_previous: ActionResult, form: FormData): Promise<ActionResult> {
  const token = await requireAccessToken(METHODS_PAGE);
  try {
    await payments.deleteMethod(token, text(form, "id"));
  } catch (error) {
    return failed(error);
  }
  revalidatePath(METHODS_PAGE);
  return { ok: true, message: "Card removed.", fieldErrors: {} };
}
