import Link from "next/link";

const LINKS = [
  { href: "/admin/stock", label: "Stock levels" },
  { href: "/admin/stock/warehouses", label: "Warehouses" },
  { href: "/admin/stock/movements", label: "Movements" },
] as const;

/** The stock pages' own menu; `current` is the page shown. */
export function StockNav({ current }: { current: (typeof LINKS)[number]["href"] }) {
  return (
    <nav aria-label="Stock" className="flex flex-wrap gap-2 text-sm">
      {LINKS.map((l) => (
        <Link
          key={l.href}
          href={l.href}
          aria-current={l.href === current ? "page" : undefined}
          className="rounded border border-slate-300 px-3 py-1 hover:bg-slate-100 aria-[current=page]:bg-slate-900 aria-[current=page]:text-white"
        >
          {l.label}
        </Link>
      ))}
    </nav>
  );
}
