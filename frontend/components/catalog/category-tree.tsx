import Link from "next/link";
import type { CategoryFacet, CategoryNode } from "@/lib/api/types";
import { listingHref, type ListingQuery } from "@/lib/listing-query";

interface Props {
  tree: CategoryNode[];
  facets: CategoryFacet[];
  query: ListingQuery;
}

/** The category tree, each with how many products of the current search it holds. */
export function CategoryTree({ tree, facets, query }: Props) {
  const counts = new Map(facets.map((f) => [f.slug, f.count]));
  return (
    <nav aria-label="Categories">
      <h2 className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">Categories</h2>
      <ul className="flex flex-col gap-1 text-sm">
        <li>
          <Link
            href={listingHref(query, { category: "", page: 1 })}
            aria-current={query.category === "" ? "page" : undefined}
            className="hover:underline aria-[current=page]:font-semibold"
          >
            All products
          </Link>
        </li>
        {tree.map((node) => <Branch key={node.id} node={node} counts={counts} query={query} />)}
      </ul>
    </nav>
  );
}

function Branch({ node, counts, query }: { node: CategoryNode; counts: Map<string, number>; query: ListingQuery }) {
  const count = counts.get(node.slug) ?? 0;
  const current = query.category === node.slug || query.category === node.id;
  return (
    <li>
      <Link
        href={listingHref(query, { category: node.slug, page: 1 })}
        aria-current={current ? "page" : undefined}
        className={`flex justify-between gap-2 hover:underline aria-[current=page]:font-semibold ${count === 0 ? "text-slate-400" : ""}`}
        data-testid={`category-${node.slug}`}
      >
        <span>{node.name}</span>
        <span className="tabular-nums text-slate-500" aria-label={`${count} products`}>{count}</span>
      </Link>
      {node.children.length > 0 && (
        <ul className="ml-3 mt-1 flex flex-col gap-1 border-l border-slate-200 pl-2">
          {node.children.map((child) => <Branch key={child.id} node={child} counts={counts} query={query} />)}
        </ul>
      )}
    </li>
  );
}
