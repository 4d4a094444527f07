import type { ListingQuery } from "@/lib/listing-query";
import { inputClass } from "@/components/layout/form-bits";

/** Price and stock filters: a GET form, so the filters end up in the URL. */
export function ListingFilters({ query }: { query: ListingQuery }) {
  return (
    <form action="/products" method="get" className="flex flex-col gap-3 text-sm" aria-label="Filters">
      <h2 className="text-sm font-semibold uppercase tracking-wide text-slate-500">Filters</h2>
      {query.q && <input type="hidden" name="q" value={query.q} />}
      {query.category && <input type="hidden" name="category" value={query.category} />}
      {query.sort && <input type="hidden" name="sort" value={query.sort} />}
      <fieldset className="flex items-end gap-2">
        <legend className="mb-1 font-medium">Price (USD)</legend>
        <label className="flex w-full flex-col gap-1">
          <span className="text-xs text-slate-500">Min</span>
          <input name="min_price" inputMode="decimal" defaultValue={query.minPrice} className={`${inputClass} w-full`} data-testid="min-price" />
        </label>
        <label className="flex w-full flex-col gap-1">
          <span className="text-xs text-slate-500">Max</span>
          <input name="max_price" inputMode="decimal" defaultValue={query.maxPrice} className={`${inputClass} w-full`} data-testid="max-price" />
        </label>
      </fieldset>
      <label className="flex items-center gap-2">
        <input type="checkbox" name="in_stock" value="1" defaultChecked={query.inStock} className="h-4 w-4" data-testid="in-stock" />
        In stock only
      </label>
      <button type="submit" className="rounded border border-slate-900 px-3 py-1.5 font-medium hover:bg-slate-100">Apply filters</button>
    </form>
  );
}
