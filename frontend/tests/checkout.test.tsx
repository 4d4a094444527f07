import { act, fireEvent, render, screen } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { CartProvider } from "@/components/cart/cart-provider";
import { CheckoutForm } from "@/components/checkout/checkout-form";
import { SessionProvider } from "@/components/session/session-provider";
import { readCartCount } from "@/lib/actions/cart";
import { placeOrder } from "@/lib/actions/orders";
import type { Address } from "@/lib/api/types";
import { attemptAfter, attemptFor, randomKey } from "@/lib/checkout-attempt";

const push = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ push }) }));
vi.mock("@/lib/actions/cart", () => ({ readCartCount: vi.fn() }));
vi.mock("@/lib/actions/orders", () => ({ placeOrder: vi.fn() }));

const address = (id: string, name: string, isDefault: boolean): Address => ({
  id, name, isDefault, line1: "1 Market Street", line2: "", city: "Springfield", region: "", postalCode: "12345", country: "US", phone: "",
});
const home = address("a-home", "Home", false);
const work = address("a-work", "Work", true);

function checkout(addresses: Address[]) {
  const ui = (list: Address[]) => (
    <SessionProvider user={{ name: "Bea", email: "bea@example.com", role: "customer" }} expiresAt={null}>
      <CartProvider>
        <CheckoutForm addresses={list} addAddress={<p>add an address</p>} review={<p>the lines</p>} />
      </CartProvider>
    </SessionProvider>
  );
  const view = render(ui(addresses));
  return { rerender: (list: Address[]) => view.rerender(ui(list)) };
}

const placeButton = () => screen.getByRole("button", { name: /Place order|Try again/ });
const press = () => act(async () => fireEvent.click(placeButton()));
const keysSent = () => vi.mocked(placeOrder).mock.calls.map(([key]) => key);

beforeEach(() => {
  vi.mocked(readCartCount).mockResolvedValue(3);
  vi.mocked(placeOrder).mockReset();
  push.mockReset();
});

describe("a checkout attempt", () => {
  it("keeps its key for the same address and only while the same request may be retried", () => {
    let n = 0;
    const newKey = () => `key-${++n}`;
    const first = attemptFor(null, "a1", newKey);
    expect(first).toEqual({ key: "key-1", request: "a1" });
    expect(attemptFor(first, "a1", newKey)).toBe(first);
    expect(attemptFor(first, "a2", newKey)).toEqual({ key: "key-2", request: "a2" });
    expect(attemptAfter(first, "network")).toBe(first);
    expect(attemptAfter(first, "retry")).toBe(first);
    expect(attemptAfter(first, "refused")).toBeNull();
    expect(attemptAfter(first, "placed")).toBeNull();
  });

  it("makes its keys as random UUIDs", () => {
    const keys = new Set(Array.from({ length: 50 }, randomKey));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("CheckoutForm", () => {
  it("preselects the default address and says payment comes right after placing", () => {
    checkout([home, work]);
    expect(screen.getByRole("radio", { name: /Work/ })).toHaveProperty("checked", true);
    expect(screen.getByTestId("checkout-payment").textContent).toMatch(/pay right after/);
    expect(screen.getByRole("link", { name: "saved cards" }).getAttribute("href")).toBe("/account/payment-methods");
  });

  it("retries after a network error and a 503 with the same Idempotency-Key, then opens the order", async () => {
    vi.mocked(placeOrder)
      .mockRejectedValueOnce(new TypeError("Failed to fetch"))
      .mockResolvedValueOnce({ outcome: "retry", message: "The shop could not place your order just now." })
      .mockResolvedValueOnce({ outcome: "placed", orderId: "o-1" });
    checkout([home, work]);
    await press();
    expect(screen.getByRole("alert").textContent).toMatch(/connection dropped/);
    await press();
    expect(screen.getByRole("alert").textContent).toMatch(/could not place your order/);
    await press();
    const keys = keysSent();
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(vi.mocked(placeOrder).mock.calls[0]![1]).toBe("a-work");
    expect(push).toHaveBeenCalledWith("/orders/o-1");
  });

  it("starts a new attempt (a new key) for another address or after a definite refusal", async () => {
    vi.mocked(placeOrder)
      .mockResolvedValueOnce({ outcome: "retry", message: "down" })
      .mockResolvedValueOnce({ outcome: "refused", message: "CMP-TNT-0001 is no longer for sale.", field: "items" })
      .mockResolvedValueOnce({ outcome: "refused", message: "No default address.", field: "shipping_address_id" });
    checkout([home, work]);
    await press();
    fireEvent.click(screen.getByRole("radio", { name: /Home/ }));
    await press();
    expect(screen.getByRole("alert").textContent).toBe("CMP-TNT-0001 is no longer for sale.");
    await press();
    expect(screen.getByRole("alert").textContent).toBe("Choose or add a shipping address: No default address.");
    const keys = keysSent();
    expect(new Set(keys).size).toBe(3);
    expect(vi.mocked(placeOrder).mock.calls.map(([, id]) => id)).toEqual(["a-work", "a-home", "a-home"]);
  });

  it("chooses an address just added inline, and cannot place without one", () => {
    const view = checkout([]);
    expect(placeButton()).toHaveProperty("disabled", true);
    view.rerender([home]);
    expect(screen.getByRole("radio", { name: /Home/ })).toHaveProperty("checked", true);
    view.rerender([home, work]);
    expect(screen.getByRole("radio", { name: /Work/ })).toHaveProperty("checked", true);
  });
});
