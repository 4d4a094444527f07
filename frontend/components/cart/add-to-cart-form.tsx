"use client";

import Link from "next/link";
import { useActionState, useEffect } from "react";
import { addToCart } from "@/lib/actions/cart";
import { initialCartResult } from "@/lib/actions/result";
import { QuantityPicker } from "@/components/catalog/quantity-picker";
import { useCart } from "./cart-provider";

/** Quantity and "Add to cart" on the product page (a signed-out shopper is sent to log in first). */
export function AddToCartForm({ sku, slug, disabled }: { sku: string; slug: string; disabled: boolean }) {
  const [result, formAction, pending] = useActionState(addToCart, initialCartResult);
  const counted = useCart((s) => s.counted);
  useEffect(() => counted(result.itemCount), [result, counted]);
  return (
    <form action={formAction} className="flex flex-col gap-3" data-testid="add-to-cart">
      <input type="hidden" name="sku" value={sku} />
      <input type="hidden" name="slug" value={slug} />
      <div className="flex flex-wrap items-center gap-3">
        <QuantityPicker disabled={disabled || pending} />
        <button type="submit" disabled={disabled || pending} className="rounded bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700 disabled:opacity-60">
          {pending ? "Adding…" : "Add to cart"}
        </button>
      </div>
      {result.message && (
        <p role={result.ok ? "status" : "alert"} className={`rounded p-2 text-sm ${result.ok ? "bg-emerald-50 text-emerald-800" : "bg-red-50 text-red-800"}`}>
          {result.message}
          {result.ok && <> <Link href="/cart" className="font-medium underline">View your cart</Link></>}
        </p>
      )}
    </form>
  );
}
