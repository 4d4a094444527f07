import type { Metadata } from "next";
import Link from "next/link";
import { CartLines } from "@/components/cart/cart-lines";
import { EmptyState } from "@/components/layout/empty-state";
import { cart } from "@/lib/api";
import { orGatewayDown } from "@/lib/gateway-guard";
import { requireAccessToken, signInAgainOn401 } from "@/lib/session/server";

export const metadata: Metadata = { title: "Your cart" };

export default async function CartPage() {
  const token = await requireAccessToken("/cart");
  return orGatewayDown(async () => {
    const current = await signInAgainOn401("/cart", cart.getCart(token));
    return (
      <div className="flex max-w-3xl flex-col gap-6">
        <h1 className="text-2xl font-semibold">Your cart</h1>
        {current.lines.length === 0 ? (
          <EmptyState title="Your cart is empty">
            <Link href="/products" className="underline">Browse the shop</Link> and add what you like.
          </EmptyState>
        ) : (
          <>
            <CartLines cart={current} />
            <Link href="/checkout" className="self-end rounded bg-slate-900 px-5 py-2.5 font-medium text-white hover:bg-slate-700">
              Go to checkout
            </Link>
          </>
        )}
      </div>
    );
  });
}
