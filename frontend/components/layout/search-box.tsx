/** A plain GET form: searching works without JavaScript and leaves a shareable URL. */
export function SearchBox({ defaultValue = "" }: { defaultValue?: string }) {
  return (
    <form action="/products" method="get" role="search" className="flex w-full gap-2">
      <label htmlFor="site-search" className="sr-only">Search products</label>
      <input
        id="site-search"
        name="q"
        type="search"
        defaultValue={defaultValue}
        placeholder="Search products"
        className="min-w-0 flex-1 rounded border border-slate-300 px-3 py-1.5"
      />
      <button type="submit" className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white hover:bg-slate-700">Search</button>
    </form>
  );
}
