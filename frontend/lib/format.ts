import type { Money } from "./api/types";

/** How many digits a currency's minor unit has: USD 2 (cents), JPY 0. */
export function currencyDigits(currency: string): number {
  return new Intl.NumberFormat("en-US", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Format an amount in minor units for people: 114999 USD → "$1,149.99". */
export function formatMoney(money: Money, locale = "en-US"): string {
  const format = new Intl.NumberFormat(locale, { style: "currency", currency: money.currency });
  return format.format(money.amountMinor / 10 ** currencyDigits(money.currency));
}

/** Minor units as a plain amount to type in a field: 1999 USD → "19.99", 1500 JPY → "1500". */
export function minorToMajor(money: Money): string {
  const digits = currencyDigits(money.currency);
  return (money.amountMinor / 10 ** digits).toFixed(digits);
}

/**
 * An amount typed in major units ("19.99") as minor units (1999) for `currency`; undefined for
 * anything that is not a positive amount with at most the currency's digits after the point.
 */
export function typedToMinor(text: string, currency: string): number | undefined {
  const digits = currencyDigits(currency);
  const pattern = digits === 0 ? /^[0-9]+$/ : new RegExp(`^[0-9]+(\\.[0-9]{1,${digits}})?$`);
  const value = text.trim();
  if (!pattern.test(value)) return undefined;
  const minor = majorToMinor(value, digits);
  return minor !== undefined && minor > 0 ? minor : undefined;
}

/** Whole currency units in a URL ("50") to minor units (5000), or undefined when not a number. */
export function majorToMinor(text: string | undefined, digits = 2): number | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) return undefined;
  return Math.round(value * 10 ** digits);
}

/** A UTC ISO 8601 time as people read it; `locale` and `timeZone` undefined mean the reader's own. */
export function formatDateTime(iso: string, locale?: string, timeZone?: string): string {
  const text = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(iso));
  return timeZone ? `${text} ${timeZone}` : text;
}
