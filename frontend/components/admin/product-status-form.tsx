"use client";

import { setProductActive } from "@/lib/actions/admin";
import type { Product } from "@/lib/api/types";
import { ActiveToggleForm } from "./active-toggle-form";

/** Take a product out of the shop, or put it back. */
export function ProductStatusForm({ product }: { product: Pick<Product, "id" | "active"> }) {
  return (
    <ActiveToggleForm
      action={setProductActive}
      id={product.id}
      active={product.active}
      labels={{ deactivate: "Deactivate product", activate: "Reactivate product" }}
      explain={{
        active: "Deactivating takes it out of the shop (search and its page); it is kept for order history.",
        inactive: "Deactivated: shoppers can neither find nor buy it. Reactivating puts it back in the shop.",
      }}
      testId="product-status"
    />
  );
}
