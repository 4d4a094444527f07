import type { CardBrand } from "./api/types";

/**
 * Cards for people, and the payment simulator's test cards. The storefront never asks for, sees
 * or sends a card number: a shopper chooses one of the simulator's test cards, and the shop sends
 * its provider token (`tok_visa`), as a real provider's card form would hand the shop a token.
 */
export const BRAND_LABELS: Record<CardBrand, string> = {
  visa: "Visa",
  mastercard: "Mastercard",
  amex: "American Express",
  discover: "Discover",
};

/** "Visa •••• 4242" (the brand may be one the shop has no label for yet). */
export function cardLabel(card: { brand: string; last4: string }): string {
  const brand = Object.hasOwn(BRAND_LABELS, card.brand) ? BRAND_LABELS[card.brand as CardBrand] : card.brand;
  return `${brand} •••• ${card.last4}`;
}

export interface TestCard {
  token: string;
  brand: CardBrand;
  /** The last four digits the simulator's card has (what a provider returns with the token). */
  last4: string;
  /** What paying with it does, for the shopper choosing it. */
  outcome: string;
}

/** The simulator's test tokens, in the order the choice offers them. */
export const TEST_CARDS: readonly TestCard[] = [
  { token: "tok_visa", brand: "visa", last4: "4242", outcome: "succeeds" },
  { token: "tok_mastercard", brand: "mastercard", last4: "4444", outcome: "succeeds" },
  { token: "tok_chargeDeclined", brand: "visa", last4: "0002", outcome: "is declined" },
  { token: "tok_chargeDeclinedInsufficientFunds", brand: "visa", last4: "9995", outcome: "is declined: insufficient funds" },
  { token: "tok_timeout", brand: "visa", last4: "4242", outcome: "times out once, then succeeds" },
  { token: "tok_slow", brand: "visa", last4: "4242", outcome: "succeeds after a delay" },
];

/** The test card with this token, or undefined for anything else. */
export const testCard = (token: string): TestCard | undefined => TEST_CARDS.find((c) => c.token === token);

/** "Visa •••• 4242 (succeeds)": how a test card reads in a choice. */
export const testCardLabel = (card: TestCard): string => `${cardLabel(card)} (${card.outcome})`;

/** How long a test card saved now stays valid: through the same month four years on. */
export const TEST_CARD_YEARS = 4;

/** What saving a test card sends: its token, brand and last four, and an expiry in the future. */
export function methodFor(card: TestCard, now: Date = new Date()) {
  return { token: card.token, brand: card.brand, last4: card.last4, exp_month: now.getUTCMonth() + 1, exp_year: now.getUTCFullYear() + TEST_CARD_YEARS };
}

/** "12/2030". */
export const expiryLabel = (card: { expMonth: number; expYear: number }): string => `${String(card.expMonth).padStart(2, "0")}/${card.expYear}`;
