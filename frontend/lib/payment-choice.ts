import type { PaymentChoice } from "./actions/payments";
import type { PaymentMethod } from "./api/types";
import { cardLabel, TEST_CARDS, testCard } from "./cards";
import { firstParam, type RawParams } from "./orders-query";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a payment choice starts as: the first saved card, else the first test card. */
export const firstChoice = (methods: PaymentMethod[] | null): PaymentChoice =>
  methods && methods.length > 0 ? { methodId: methods[0]!.id } : { token: TEST_CARDS[0]!.token };

/** The same request twice means the same card: another card is another attempt (a new key). */
export const choiceKey = (choice: PaymentChoice | null): string | null =>
  choice === null ? null : "methodId" in choice ? `method:${choice.methodId}` : `card:${choice.token}`;

/** A choice as `choiceKey` wrote it ("method:<id>", "card:<token>"); null for anything else. */
export function choiceFromKey(text: string): PaymentChoice | null {
  const at = text.indexOf(":");
  if (at < 0) return null;
  const kind = text.slice(0, at);
  const value = text.slice(at + 1);
  if (kind === "method" && UUID.test(value)) return { methodId: value };
  if (kind === "card" && testCard(value)) return { token: value };
  return null;
}

/** Whether a payment step can show `choice` as chosen: one of these saved cards, or a test card. */
export const isOffered = (choice: PaymentChoice, methods: PaymentMethod[] | null): boolean =>
  "token" in choice ? testCard(choice.token) !== undefined : (methods ?? []).some((m) => m.id === choice.methodId);

/** How a payment choice reads: "Visa •••• 4242" (a saved card not among `methods`: "your saved card"). */
export function choiceLabel(choice: PaymentChoice, methods: PaymentMethod[] | null): string {
  if ("token" in choice) {
    const card = testCard(choice.token);
    return card ? cardLabel(card) : "a test card";
  }
  const method = (methods ?? []).find((m) => m.id === choice.methodId);
  return method ? cardLabel(method) : "your saved card";
}

/**
 * The payment chosen at checkout, carried to the order's page in its URL (`?pay=…&key=…`): the
 * order page pays with it by itself once the stock is held (an order cannot be paid before). The
 * key is that payment attempt's own Idempotency-Key, made at checkout: a reload of the order page
 * sends the same attempt again and the API answers as it did the first time, so carrying it in the
 * URL can never charge twice. The page drops both from its URL once the attempt had a definite answer.
 */
export interface CarriedPayment {
  choice: PaymentChoice;
  key: string;
}

/** The order page's URL, carrying the payment chosen at checkout. */
export function orderPageHref(orderId: string, carried: CarriedPayment): string {
  const params = new URLSearchParams({ pay: choiceKey(carried.choice)!, key: carried.key });
  return `/orders/${encodeURIComponent(orderId)}?${params}`;
}

/** The payment an order page's URL carries; null when it carries none, or nothing that makes sense. */
export function parseCarriedPayment(params: RawParams): CarriedPayment | null {
  const choice = choiceFromKey(firstParam(params.pay));
  const key = firstParam(params.key);
  return choice && UUID.test(key) ? { choice, key } : null;
}
