import { describe, expect, it } from "vitest";
import { formatDateTime, formatMoney, majorToMinor } from "@/lib/format";

describe("formatMoney", () => {
  it("formats minor units in the currency's own digits", () => {
    expect(formatMoney({ amountMinor: 114999, currency: "USD" })).toBe("$1,149.99");
    expect(formatMoney({ amountMinor: 5, currency: "USD" })).toBe("$0.05");
    expect(formatMoney({ amountMinor: 1500, currency: "JPY" })).toBe("¥1,500");
  });
});

describe("majorToMinor", () => {
  it("reads whole units from a URL and refuses nonsense", () => {
    expect(majorToMinor("50")).toBe(5000);
    expect(majorToMinor("19.99")).toBe(1999);
    expect(majorToMinor("")).toBeUndefined();
    expect(majorToMinor("-3")).toBeUndefined();
    expect(majorToMinor("abc")).toBeUndefined();
  });
});

describe("formatDateTime", () => {
  it("shows an API time in a given locale and zone (the reader's own when left out)", () => {
    expect(formatDateTime("2026-12-03T14:05:00Z", "en-US", "UTC")).toBe("Dec 3, 2026, 2:05 PM UTC");
    expect(formatDateTime("2026-12-03T14:05:00Z", "de-DE", "Europe/Berlin")).toBe("03.12.2026, 15:05 Europe/Berlin");
  });
});
