import type { Money } from "./api/types";

/** Format an amount in minor units for people: 114999 USD → "$1,149.99". */
export function formatMoney(money: Money, locale = "en-US"): string {
  const format = new Intl.NumberFormat(locale, { style: "currency", currency: money.currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(money.amountMinor / 10 ** digits);
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
