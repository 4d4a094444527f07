import { ApiError, GatewayUnavailableError } from "../api";

/** What a form's server action answers: a message and the fields the gateway refused. */
export interface ActionResult {
  ok: boolean;
  message: string;
  fieldErrors: Record<string, string>;
}

export const initialResult: ActionResult = { ok: false, message: "", fieldErrors: {} };

/** A cart form's answer, with the cart's new unit count for the header's badge (null: unchanged). */
export interface CartResult extends ActionResult {
  itemCount: number | null;
}

export const initialCartResult: CartResult = { ...initialResult, itemCount: null };

/** Turn a gateway failure into a message for the form (and rethrow anything else). */
export function failed(error: unknown): ActionResult {
  if (error instanceof GatewayUnavailableError) {
    return { ok: false, message: "The shop's server cannot be reached. Try again in a moment.", fieldErrors: {} };
  }
  if (error instanceof ApiError) {
    const fieldErrors = Object.fromEntries(error.fieldErrors.map((f) => [f.field.replace(/^body\./, ""), f.message]));
    return { ok: false, message: error.detail, fieldErrors };
  }
  throw error;
}

export const text = (form: FormData, name: string): string => String(form.get(name) ?? "").trim();
