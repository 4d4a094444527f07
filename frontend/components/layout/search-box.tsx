interface Props {
  defaultValue?: string;
  /** Where the search goes: the shop's listing, or the admin's product list. */
  action?: string;
  label?: string;
  /** The input's id: unique on the page (the header has a search box on every page). */
  id?: string;
}

/** A plain GET form: searching works without JavaScript and leaves a shareable URL. */
export function SearchBox({ defaultValue = "", action = "/products", label = "Search products", id = "site-search" }: Props) {
  return (
    <form action={action} method="get" role="search" aria-label={label} className="flex w-full gap-2">
      <label htmlFor={id} className="sr-only">{label}</label>
      <input
        id={id}
        name="q"
        type="search"
        defaultValue={defaultValue}
        placeholder={label}
        className="min-w-0 flex-1 rounded border border-slate-300 px-3 py-1.5"
      />
      <button type="submit" className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white hover:bg-slate-700">Search</button>
    </form>
  );
}
