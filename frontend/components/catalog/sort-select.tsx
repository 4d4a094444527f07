"use client";

import type { ListingQuery } from "@/lib/listing-query";

export const SORT_LABELS = {
  relevance: "Best match",
  newest: "Newest",
  price: "Price: low to high",
  "-price": "Price: high to low",
  name: "Name",
} as const;

/** The sort order: submits on change with JavaScript, with a button for when there is none. */
export function SortSelect({ query, applied }: { query: ListingQuery; applied: keyof typeof SORT_LABELS }) {
  return (
    <form action="/products" method="get" className="flex items-center gap-2 text-sm">
      {query.q && <input type="hidden" name="q" value={query.q} />}
      {query.category && <input type="hidden" name="category" value={query.category} />}
      {query.minPrice && <input type="hidden" name="min_price" value={query.minPrice} />}
      {query.maxPrice && <input type="hidden" name="max_price" value={query.maxPrice} />}
      {query.inStock && <input type="hidden" name="in_stock" value="1" />}
      <label htmlFor="sort">Sort by</label>
      <select
        id="sort"
        name="sort"
        defaultValue={query.sort || applied}
        onChange={(e) => e.currentTarget.form?.requestSubmit()}
        className="rounded border border-slate-300 px-2 py-1"
      >
        {Object.entries(SORT_LABELS).map(([value, label]) => (
          <option key={value} value={value} disabled={value === "relevance" && !query.q}>{label}</option>
        ))}
      </select>
      <noscript><button type="submit" className="underline">Sort</button></noscript>
    </form>
  );
}
