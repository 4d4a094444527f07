"use client";

import type { ProductStatus } from "@/lib/api/types";
import { ADMIN_PRODUCTS_PATH, type AdminProductsQuery } from "@/lib/listing-query";
import { inputClass } from "@/components/layout/form-bits";

export const PRODUCT_STATUS_LABELS: Record<ProductStatus, string> = { active: "Active", inactive: "Inactive", any: "All" };

/**
 * The admin's product search and status filter: one GET form (the state in the URL, and it works
 * without JavaScript), the status applied on change with it. A new search goes back to page 1.
 */
export function ProductFilter({ query }: { query: AdminProductsQuery }) {
  return (
    <form action={ADMIN_PRODUCTS_PATH} method="get" role="search" aria-label="Search products by name or SKU" className="flex flex-wrap items-end gap-2 text-sm" data-testid="admin-product-filter">
      {/* The listing's other filters, which only a URL sets here: kept as they are. */}
      {query.category && <input type="hidden" name="category" value={query.category} />}
      {query.minPrice && <input type="hidden" name="min_price" value={query.minPrice} />}
      {query.maxPrice && <input type="hidden" name="max_price" value={query.maxPrice} />}
      {query.inStock && <input type="hidden" name="in_stock" value="1" />}
      {query.sort && <input type="hidden" name="sort" value={query.sort} />}
      <label htmlFor="admin-product-search" className="sr-only">Search products by name or SKU</label>
      <input
        id="admin-product-search"
        name="q"
        type="search"
        defaultValue={query.q}
        placeholder="Search products by name or SKU"
        className={`${inputClass} min-w-0 flex-1 basis-56`}
      />
      <label className="flex flex-col gap-1 font-medium">
        Status
        <select name="status" defaultValue={query.status} onChange={(e) => e.currentTarget.form?.requestSubmit()} className={inputClass}>
          {Object.entries(PRODUCT_STATUS_LABELS).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
        </select>
      </label>
      <button type="submit" className="rounded bg-slate-900 px-3 py-2 text-white hover:bg-slate-700">Search</button>
    </form>
  );
}
