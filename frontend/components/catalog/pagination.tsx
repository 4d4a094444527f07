import Link from "next/link";
import { listingHref, type ListingQuery } from "@/lib/listing-query";

/** Which page numbers to show: the first, the last, and two either side of the current one. */
export function pageWindow(current: number, last: number): (number | "gap")[] {
  const pages = new Set([1, last, current - 2, current - 1, current, current + 1, current + 2]);
  const sorted = [...pages].filter((p) => p >= 1 && p <= last).sort((a, b) => a - b);
  const out: (number | "gap")[] = [];
  sorted.forEach((p, i) => {
    if (i > 0 && p - sorted[i - 1]! > 1) out.push("gap");
    out.push(p);
  });
  return out;
}

/** The listing's page links, keeping the rest of its query. */
export function Pagination({ query, total, pageSize }: { query: ListingQuery; total: number; pageSize: number }) {
  return <PageLinks page={query.page} total={total} pageSize={pageSize} hrefFor={(page) => listingHref(query, { page })} />;
}

interface PageLinksProps {
  page: number;
  total: number;
  pageSize: number;
  hrefFor: (page: number) => string;
}

/** Previous, numbered and next page links (nothing when everything fits on one page). */
export function PageLinks({ page: asked, total, pageSize, hrefFor }: PageLinksProps) {
  const last = Math.max(1, Math.ceil(total / pageSize));
  if (last === 1) return null;
  const page = Math.min(asked, last);
  const link = "rounded border border-slate-300 px-3 py-1 hover:bg-slate-100";
  return (
    <nav aria-label="Pages" className="mt-8 flex flex-wrap items-center justify-center gap-2 text-sm">
      {page > 1 && <Link className={link} href={hrefFor(page - 1)} rel="prev">Previous</Link>}
      {pageWindow(page, last).map((p, i) =>
        p === "gap" ? (
          <span key={`gap-${i}`} aria-hidden>…</span>
        ) : (
          <Link
            key={p}
            href={hrefFor(p)}
            aria-current={p === page ? "page" : undefined}
            aria-label={`Page ${p}`}
            className={`${link} aria-[current=page]:bg-slate-900 aria-[current=page]:text-white`}
          >
            {p}
          </Link>
        ),
      )}
      {page < last && <Link className={link} href={hrefFor(page + 1)} rel="next">Next</Link>}
    </nav>
  );
}
