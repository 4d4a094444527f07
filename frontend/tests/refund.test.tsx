import { act, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RefundForm } from "@/components/admin/refund-form";
import type { Schemas } from "@/lib/api/client";
import { toPayment } from "@/lib/api/types";
import { RESEND_DELAYS_MS } from "@/lib/checkout-attempt";
import { currencyDigits, minorToMajor, typedToMinor } from "@/lib/format";
import { refundable } from "@/lib/payment-status";
import { fakeGateway, json, problem, type FakeGateway } from "./fake-gateway";

const refresh = vi.fn();
vi.mock("next/navigation", () => ({
  useRouter: () => ({ push: vi.fn(), refresh }),
  redirect: (url: string) => {
    throw new Error(`redirect ${url}`);
  },
}));

const PAYMENT = "7c000000-0000-4000-8000-000000000001";
const REFUND = `/api/admin/payments/${PAYMENT}/refund`;
const usdWire = (amount_minor: number) => ({ amount_minor, currency: "USD" });
const wire = (extra: Partial<Schemas["Payment"]> = {}): Schemas["Payment"] => ({
  id: PAYMENT, order_id: "0b8f6c1e-2d3a-4f5b-8c9d-0e1f2a3b4c5d", user_id: "u-1", status: "completed", amount: usdWire(12345), refunded: usdWire(0),
  payment_method_id: null, card: { brand: "visa", last4: "4242" }, failure: null,
  created_at: "2026-12-03T10:00:00Z", completed_at: "2026-12-03T10:00:01Z", ...extra,
});

let gateway: FakeGateway;
beforeEach(() => {
  gateway = fakeGateway();
  refresh.mockReset();
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const amount = () => screen.getByLabelText(/^Amount to refund \(USD\)/);
const type = (label: RegExp | HTMLElement, value: string) =>
  fireEvent.change(label instanceof HTMLElement ? label : screen.getByLabelText(label), { target: { value } });
const submit = () => act(async () => fireEvent.click(screen.getByRole("button", { name: /^(Refund|Try again)$/ })));
const sent = () => gateway.sent("POST", REFUND);

describe("amounts typed in major units", () => {
  it("become minor units in the currency's own digits, and nonsense is refused", () => {
    expect(currencyDigits("USD")).toBe(2);
    expect(currencyDigits("JPY")).toBe(0);
    expect(typedToMinor("10.50", "USD")).toBe(1050);
    expect(typedToMinor("10.5", "USD")).toBe(1050);
    expect(typedToMinor("0.07", "USD")).toBe(7);
    expect(typedToMinor("1500", "JPY")).toBe(1500);
    for (const bad of ["10.505", "-1", "0", "0.00", "1e3", "ten", "", "15.5"]) {
      expect(typedToMinor(bad, bad === "15.5" ? "JPY" : "USD")).toBeUndefined();
    }
    expect(minorToMajor({ amountMinor: 12345, currency: "USD" })).toBe("123.45");
  });

  it("leave nothing to refund of a payment that did not take the money", () => {
    expect(refundable(toPayment(wire({ status: "partially_refunded", refunded: usdWire(345) })))).toEqual({ amountMinor: 12000, currency: "USD" });
    expect(refundable(toPayment(wire({ status: "failed" }))).amountMinor).toBe(0);
    expect(refundable(toPayment(wire({ status: "refunded", refunded: usdWire(12345) }))).amountMinor).toBe(0);
  });
});

describe("RefundForm", () => {
  it("refunds all that is left when the amount is empty, with an Idempotency-Key", async () => {
    gateway.answer("POST", REFUND, json(200, wire({ status: "refunded", refunded: usdWire(12345) })));
    render(<RefundForm payment={toPayment(wire())} />);
    expect(screen.getByText("Leave empty to refund all that is left: $123.45.")).toBeTruthy();
    await submit();
    expect(sent()).toHaveLength(1);
    expect(sent()[0]!.body).toEqual({});
    expect(sent()[0]!.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(screen.getByRole("status").textContent).toBe("Refunded $123.45 in all.");
    expect(refresh).toHaveBeenCalled();
  });

  it("sends a part typed in dollars as cents with the reason, and says what is left", async () => {
    gateway.answer("POST", REFUND, json(200, wire({ status: "partially_refunded", refunded: usdWire(1050) })));
    render(<RefundForm payment={toPayment(wire())} />);
    type(amount(), "10.50");
    type(/^Reason/, "  one tent pole bent ");
    await submit();
    expect(sent()[0]!.body).toEqual({ amount_minor: 1050, reason: "one tent pole bent" });
    expect(screen.getByRole("status").textContent).toBe("Refunded $10.50 in all; $112.95 left to refund.");
    expect((amount() as HTMLInputElement).value).toBe(""); // ready for the next refund
  });

  it("refuses, without sending, an amount that is not one or is more than is left", async () => {
    render(<RefundForm payment={toPayment(wire({ status: "partially_refunded", refunded: usdWire(12000) }))} />);
    type(amount(), "1.234");
    await submit();
    expect(screen.getByText("Enter an amount in USD, such as 3.45.")).toBeTruthy();
    expect(amount().getAttribute("aria-invalid")).toBe("true");
    type(amount(), "3.46");
    await submit();
    expect(screen.getByText("At most $3.45 is left to refund.")).toBeTruthy();
    expect(sent()).toHaveLength(0);
  });

  it("resends the same attempt by itself after a 503, and a new refund gets a new key", async () => {
    vi.useFakeTimers();
    gateway.answer("POST", REFUND, problem(503, "The payment provider did not answer."), json(200, wire({ status: "partially_refunded", refunded: usdWire(100) })));
    render(<RefundForm payment={toPayment(wire())} />);
    type(amount(), "1");
    await submit();
    expect(screen.getByRole("button", { name: "Refunding…" })).toBeTruthy();
    await act(async () => vi.advanceTimersByTimeAsync(RESEND_DELAYS_MS[0]!));
    expect(screen.getByRole("status").textContent).toMatch(/^Refunded \$1\.00/);
    gateway.answer("POST", REFUND, json(200, wire({ status: "partially_refunded", refunded: usdWire(200) })));
    type(amount(), "1");
    await submit();
    const keys = sent().map((r) => r.headers["idempotency-key"]);
    expect(keys).toHaveLength(3);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it("keeps the key for Try again after the resends run out, and shows a 422 on the amount", async () => {
    vi.useFakeTimers();
    gateway.answer("POST", REFUND, "network");
    render(<RefundForm payment={toPayment(wire())} />);
    type(amount(), "5");
    await submit();
    await act(async () => vi.advanceTimersByTimeAsync(RESEND_DELAYS_MS.reduce((a, b) => a + b, 0)));
    expect(screen.getByRole("alert").textContent).toMatch(/will not be refunded twice/);
    gateway.answer("POST", REFUND, problem(422, "The request is invalid.", { errors: [{ field: "body.amount_minor", message: "is more than is left to refund" }] }));
    await submit();
    const keys = sent().map((r) => r.headers["idempotency-key"]);
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(1);
    expect(screen.getByRole("alert").textContent).toBe("The request is invalid.");
    expect(screen.getByText("is more than is left to refund")).toBeTruthy();
    expect(amount().getAttribute("aria-invalid")).toBe("true");
  });
});
