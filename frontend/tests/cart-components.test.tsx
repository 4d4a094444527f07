import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { AddToCartForm } from "@/components/cart/add-to-cart-form";
import { CartLines } from "@/components/cart/cart-lines";
import { CartLink } from "@/components/cart/cart-link";
import { CartProvider } from "@/components/cart/cart-provider";
import { SessionProvider } from "@/components/session/session-provider";
import { addToCart, changeCartLine, readCartCount } from "@/lib/actions/cart";
import type { Cart } from "@/lib/api/types";

vi.mock("@/lib/actions/cart", () => ({ addToCart: vi.fn(), changeCartLine: vi.fn(), readCartCount: vi.fn() }));

const usd = (amountMinor: number) => ({ amountMinor, currency: "USD" });
const cart: Cart = {
  lines: [
    { sku: "CMP-TNT-0001", name: "Dome tent", quantity: 2, unitPrice: usd(12999), lineTotal: usd(25998) },
    { sku: "CMP-LMP-0002", name: "Lantern", quantity: 1, unitPrice: usd(2450), lineTotal: usd(2450) },
  ],
  itemCount: 3,
  subtotal: usd(28448),
};
const shopper = { name: "Bea", email: "bea@example.com", role: "customer" as const };

function withStores(ui: React.ReactNode, user: typeof shopper | null = shopper) {
  return render(
    <SessionProvider user={user} expiresAt={null}>
      <CartProvider>
        <CartLink />
        {ui}
      </CartProvider>
    </SessionProvider>,
  );
}

beforeEach(() => vi.mocked(readCartCount).mockReset().mockResolvedValue(null));

describe("the header's cart link", () => {
  it("asks the API for the count once signed in and shows it as a badge", async () => {
    vi.mocked(readCartCount).mockResolvedValue(3);
    withStores(null);
    expect(await screen.findByTestId("cart-badge")).toHaveProperty("textContent", "3");
    expect(screen.getByRole("link", { name: "Cart, 3 items" }).getAttribute("href")).toBe("/cart");
  });

  it("asks nothing for a signed-out visitor", () => {
    withStores(null, null);
    expect(readCartCount).not.toHaveBeenCalled();
    expect(screen.queryByTestId("cart-badge")).toBeNull();
  });
});

describe("AddToCartForm", () => {
  it("sends the SKU and quantity, and the badge follows the API's answer", async () => {
    vi.mocked(readCartCount).mockResolvedValue(1);
    vi.mocked(addToCart).mockResolvedValue({ ok: true, message: "Added to your cart.", fieldErrors: {}, itemCount: 3 });
    withStores(<AddToCartForm sku="CMP-TNT-0001" slug="dome-tent" disabled={false} />);
    await screen.findByTestId("cart-badge");
    fireEvent.click(screen.getByRole("button", { name: "One more" }));
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Add to cart" })));
    expect(await screen.findByRole("status")).toHaveProperty("textContent", "Added to your cart. View your cart");
    const form = vi.mocked(addToCart).mock.calls[0]![1];
    expect([form.get("sku"), form.get("quantity"), form.get("slug")]).toEqual(["CMP-TNT-0001", "2", "dome-tent"]);
    expect(screen.getByTestId("cart-badge").textContent).toBe("3");
  });

  it("cannot add a product out of stock", () => {
    withStores(<AddToCartForm sku="CMP-TNT-0001" slug="dome-tent" disabled />);
    expect(screen.getByRole("button", { name: "Add to cart" })).toHaveProperty("disabled", true);
  });
});

describe("CartLines", () => {
  it("lists each line with its price and total, the subtotal, and says shipping and tax come later", () => {
    withStores(<CartLines cart={cart} />);
    const tent = screen.getByTestId("cart-line-CMP-TNT-0001").closest("li")!;
    expect(within(tent).getByTestId("line-name").textContent).toBe("Dome tent");
    expect(within(tent).getByText("$259.98")).toBeTruthy();
    expect(within(tent).getByLabelText("Quantity of Dome tent")).toHaveProperty("value", "2");
    expect(screen.getByTestId("cart-subtotal").textContent).toBe("Subtotal (3 items): $284.48");
    expect(screen.getByText("Shipping and tax are computed when you place the order.")).toBeTruthy();
  });

  it("updates a quantity or removes a line, and shows the API's refusal", async () => {
    vi.mocked(changeCartLine).mockResolvedValue({ ok: false, message: "A cart line holds at most 99.", fieldErrors: {}, itemCount: null });
    withStores(<CartLines cart={cart} />);
    const lantern = screen.getByTestId("cart-line-CMP-LMP-0002");
    fireEvent.change(within(lantern).getByLabelText("Quantity of Lantern"), { target: { value: "4" } });
    await act(async () => fireEvent.click(within(lantern).getByRole("button", { name: "Update" })));
    expect(await within(lantern).findByRole("alert")).toHaveProperty("textContent", "A cart line holds at most 99.");
    const form = vi.mocked(changeCartLine).mock.calls[0]![1];
    expect([form.get("sku"), form.get("quantity"), form.get("intent")]).toEqual(["CMP-LMP-0002", "4", "update"]);

    await act(async () => fireEvent.click(within(lantern).getByRole("button", { name: "Remove Lantern" })));
    expect(vi.mocked(changeCartLine).mock.calls[1]![1].get("intent")).toBe("remove");
  });
});
