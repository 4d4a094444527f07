import type { Metadata } from "next";
import Link from "next/link";
import { AddressForm } from "@/components/account/address-form";
import { CartSubtotal } from "@/components/cart/cart-lines";
import { CheckoutForm } from "@/components/checkout/checkout-form";
import { Price } from "@/components/catalog/price";
import { EmptyState } from "@/components/layout/empty-state";
import { accounts, cart, payments } from "@/lib/api";
import { orGatewayDown } from "@/lib/gateway-guard";
import { requireAccessToken, signInAgainOn401 } from "@/lib/session/server";

export const metadata: Metadata = { title: "Checkout" };

export default async function CheckoutPage() {
  const token = await requireAccessToken("/checkout");
  return orGatewayDown(async () => {
    const [current, addresses, methods] = await signInAgainOn401("/checkout", Promise.all([
      cart.getCart(token),
      accounts.listAddresses(token),
      payments.listMethods(token).catch(() => null), // payments answer on their own: a test card still pays
    ]));
    if (current.lines.length === 0) {
      return (
        <div className="flex max-w-3xl flex-col gap-6">
          <h1 className="text-2xl font-semibold">Checkout</h1>
          <EmptyState title="Your cart is empty">
            <Link href="/products" className="underline">Browse the shop</Link> to add something first.
          </EmptyState>
        </div>
      );
    }
    const review = (
      <>
        <ul className="flex flex-col divide-y divide-slate-200 border-y border-slate-200 text-sm" data-testid="checkout-lines">
          {current.lines.map((line) => (
            <li key={line.sku} className="flex justify-between gap-4 py-2">
              <span>{line.quantity} × {line.name}</span>
              <Price money={line.lineTotal} />
            </li>
          ))}
        </ul>
        <CartSubtotal cart={current} />
        <Link href="/cart" className="self-end text-sm underline">Change the cart</Link>
      </>
    );
    const addAddress = (
      <details className="rounded border border-slate-200 p-3" open={addresses.length === 0}>
        <summary className="cursor-pointer text-sm font-medium">Add a new address</summary>
        <div className="mt-3"><AddressForm /></div>
      </details>
    );
    return (
      <div className="flex max-w-3xl flex-col gap-6">
        <h1 className="text-2xl font-semibold">Checkout</h1>
        <CheckoutForm addresses={addresses} addAddress={addAddress} review={review} methods={methods} />
      </div>
    );
  });
}
