"use client";

import { setProductActive } from "@/lib/actions/admin";
import type { Product } from "@/lib/api/types";
import { ActionForm } from "@/components/account/action-form";

/**
 * Take a product out of the shop, or put it back: one button for what its status allows, and what
 * the last press did said above it (one form whichever it shows, so the message outlives the change).
 */
export function ProductStatusForm({ product }: { product: Pick<Product, "id" | "active"> }) {
  return (
    <ActionForm action={setProductActive} submitLabel={product.active ? "Deactivate product" : "Reactivate product"} testId="product-status">
      {() => (
        <>
          <input type="hidden" name="id" value={product.id} />
          <input type="hidden" name="intent" value={product.active ? "deactivate" : "activate"} />
          <p className="text-sm text-slate-600">
            {product.active
              ? "Deactivating takes it out of the shop (search and its page); it is kept for order history."
              : "Deactivated: shoppers can neither find nor buy it. Reactivating puts it back in the shop."}
          </p>
        </>
      )}
    </ActionForm>
  );
}
