"use client";

import Link from "next/link";
import { badgeText } from "@/lib/stores/cart-store";
import { useCart } from "./cart-provider";

/** The header's cart link with its badge (units in the cart). */
export function CartLink() {
  const count = useCart((s) => s.itemCount);
  const badge = badgeText(count);
  const label = count === null ? "Cart" : `Cart, ${count} ${count === 1 ? "item" : "items"}`;
  return (
    <Link href="/cart" aria-label={label} className="relative inline-flex items-center gap-1 text-sm hover:underline" data-testid="cart-link">
      Cart
      {badge && (
        <span aria-hidden className="min-w-5 rounded-full bg-slate-900 px-1.5 text-center text-xs leading-5 text-white" data-testid="cart-badge">
          {badge}
        </span>
      )}
    </Link>
  );
}
