import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { CartProvider } from "@/components/cart/cart-provider";
import { CheckoutForm } from "@/components/checkout/checkout-form";
import { SessionProvider } from "@/components/session/session-provider";
import { readCartCount } from "@/lib/actions/cart";
import { placeOrder } from "@/lib/actions/orders";
import type { Address, PaymentMethod } from "@/lib/api/types";
import { attemptAfter, attemptFor, randomKey } from "@/lib/checkout-attempt";
import { parseCarriedPayment } from "@/lib/payment-choice";

const push = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ push }) }));
vi.mock("@/lib/actions/cart", () => ({ readCartCount: vi.fn() }));
vi.mock("@/lib/actions/orders", () => ({ placeOrder: vi.fn() }));

const address = (id: string, name: string, isDefault: boolean): Address => ({
  id, name, isDefault, line1: "1 Market Street", line2: "", city: "Springfield", region: "", postalCode: "12345", country: "US", phone: "",
});
const home = address("a-home", "Home", false);
const work = address("a-work", "Work", true);
const saved: PaymentMethod = { id: "9a1b2c3d-0000-4000-8000-000000000001", brand: "mastercard", last4: "4444", expMonth: 3, expYear: 2030, createdAt: "2026-12-01T10:00:00Z" };

function checkout(addresses: Address[], methods: PaymentMethod[] | null = []) {
  const ui = (list: Address[]) => (
    <SessionProvider user={{ name: "Bea", email: "bea@example.com", role: "customer" }} expiresAt={null}>
      <CartProvider>
        <CheckoutForm addresses={list} addAddress={<p>add an address</p>} review={<p>the lines</p>} methods={methods} />
      </CartProvider>
    </SessionProvider>
  );
  const view = render(ui(addresses));
  return { rerender: (list: Address[]) => view.rerender(ui(list)) };
}

const placeButton = () => screen.getByRole("button", { name: /Place order and pay|Try again/ });
const press = () => act(async () => fireEvent.click(placeButton()));
const keysSent = () => vi.mocked(placeOrder).mock.calls.map(([key]) => key);
/** Where placing sent the shopper, and the payment it carried there. */
const opened = () => {
  const href = String(push.mock.calls.at(-1)![0]);
  const url = new URL(href, "http://shop.test");
  return { path: url.pathname, carried: parseCarriedPayment(Object.fromEntries(url.searchParams)) };
};

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
  it("preselects the default address and the first saved card, and says when the card is charged", () => {
    checkout([home, work], [saved]);
    expect(screen.getByRole("radio", { name: /Work/ })).toHaveProperty("checked", true);
    expect(screen.getByRole("radio", { name: /Mastercard •••• 4444/ })).toHaveProperty("checked", true);
    expect(screen.getByTestId("checkout-payment").textContent).toMatch(/charged as soon as they are reserved/);
  });

  it("offers a test card when there is no saved card, or the saved cards cannot be read", () => {
    checkout([work]);
    expect(screen.getByRole("radio", { name: /A test card/ })).toHaveProperty("checked", true);
    expect(screen.getByRole("link", { name: "save one" }).getAttribute("href")).toBe("/account/payment-methods");
    cleanup();
    checkout([work], null);
    expect(screen.getByText(/saved cards cannot be shown right now/)).toBeTruthy();
    expect((screen.getByLabelText("Test card") as HTMLSelectElement).value).toBe("tok_visa");
  });

  it("carries the payment chosen to the order's page, with a key of its own", async () => {
    vi.mocked(placeOrder).mockResolvedValue({ outcome: "placed", orderId: "o-1" });
    checkout([work], [saved]);
    await press();
    expect(opened()).toEqual({ path: "/orders/o-1", carried: { choice: { methodId: saved.id }, key: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
    expect(opened().carried!.key).not.toBe(keysSent()[0]); // placing and paying are two attempts


    cleanup(); // another checkout
    checkout([work], [saved]);
    fireEvent.click(screen.getByRole("radio", { name: /A test card/ }));
    fireEvent.change(screen.getByLabelText("Test card"), { target: { value: "tok_slow" } });
    await press();
    expect(opened().carried!.choice).toEqual({ token: "tok_slow" });
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
    expect(opened().path).toBe("/orders/o-1");
    expect(opened().carried).toMatchObject({ choice: { token: "tok_visa" } });
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
