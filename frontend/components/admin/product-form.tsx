"use client";

import { createProduct, updateProduct } from "@/lib/actions/admin";
import type { CategoryNode, Product } from "@/lib/api/types";
import { ActionForm } from "@/components/account/action-form";
import { Field } from "@/components/account/field";
import { FieldMessage, inputClass } from "@/components/layout/form-bits";
import { CategorySelect } from "./category-select";

interface Props {
  tree: CategoryNode[];
  product?: Product;
}

/** Create (no product) or edit a product; price in currency units ("19.99"). */
export function ProductForm({ tree, product }: Props) {
  const image = product?.images[0];
  return (
    <ActionForm action={product ? updateProduct : createProduct} submitLabel={product ? "Save product" : "Create product"} testId="product-form">
      {({ fieldErrors: e }) => (
        <div className="grid gap-3 sm:grid-cols-2">
          {product && <input type="hidden" name="id" value={product.id} />}
          {product ? (
            <p className="text-sm">SKU <strong>{product.sku}</strong></p>
          ) : (
            <Field label="SKU" name="sku" required error={e.sku} hint="Unique, e.g. ELE-AUD-0100" />
          )}
          <Field label="Name" name="name" required defaultValue={product?.name} error={e.name} />
          <Field label="Price" name="price" required defaultValue={product ? (product.price.amountMinor / 100).toFixed(2) : ""} hint="e.g. 19.99" error={e["price.amount_minor"] ?? e.price} />
          <Field label="Currency" name="currency" defaultValue={product?.price.currency ?? "USD"} error={e["price.currency"]} />
          <CategorySelect tree={tree} name="category_id" label="Category" defaultValue={product?.category?.id} emptyLabel="No category" />
          {/* Once it exists, whether it is in the shop is the status form's (one place, never a stale box). */}
          {!product && (
            <label className="flex items-center gap-2 self-end text-sm">
              <input type="checkbox" name="active" defaultChecked className="h-4 w-4" /> Active (shown in the shop)
            </label>
          )}
          <label className="flex flex-col gap-1 text-sm font-medium sm:col-span-2">
            Description
            <textarea name="description" rows={4} defaultValue={product?.description} className={inputClass} />
            <FieldMessage message={e.description} />
          </label>
          <Field label="Image URL" name="image_url" defaultValue={image?.url} hint="/media/catalog/… or https://…" error={e["images.0.url"]} />
          <Field label="Image description (alt text)" name="image_alt" defaultValue={image?.alt} error={e["images.0.alt"]} />
        </div>
      )}
    </ActionForm>
  );
}
