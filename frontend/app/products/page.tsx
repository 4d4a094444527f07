import type { Metadata } from "next";
import Link from "next/link";
import { CategoryTree } from "@/components/catalog/category-tree";
import { ListingFilters } from "@/components/catalog/listing-filters";
import { Pagination } from "@/components/catalog/pagination";
import { ProductGrid } from "@/components/catalog/product-card";
import { SortSelect } from "@/components/catalog/sort-select";
import { flattenCategories } from "@/components/catalog/flatten-categories";
import { EmptyState } from "@/components/layout/empty-state";
import { ApiError, catalog } from "@/lib/api";
import { orGatewayDown } from "@/lib/gateway-guard";
import { listingHref, parseListingQuery, toProductSearch } from "@/lib/listing-query";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const query = parseListingQuery(await searchParams);
  return { title: query.q ? `“${query.q}”` : "All products" };
}

export default async function ListingPage({ searchParams }: Props) {
  const query = parseListingQuery(await searchParams);
  return orGatewayDown(async () => {
    const [page, tree] = await Promise.all([
      catalog.searchProducts(toProductSearch(query)).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 422) return null; // a filter the API refuses
        throw error;
      }),
      catalog.getCategoryTree(),
    ]);
    const category = flattenCategories(tree).find(({ node }) => node.slug === query.category || node.id === query.category)?.node;
    const where = category ? category.name : "All products";
    const heading = query.q ? `Results for “${query.q}”${category ? ` in ${category.name}` : ""}` : where;
    return (
      <div className="grid gap-8 md:grid-cols-[15rem_1fr]">
        <aside className="flex flex-col gap-6">
          <CategoryTree tree={tree} facets={page?.facets ?? []} query={query} />
          <ListingFilters query={query} />
        </aside>
        <section aria-labelledby="listing-heading" data-testid="listing" data-search={listingHref(query).split("?")[1] ?? ""}>
          <div className="mb-4 flex flex-wrap items-baseline justify-between gap-3">
            <h1 id="listing-heading" className="text-2xl font-semibold">{heading}</h1>
            {page && <SortSelect query={query} applied={page.sort} />}
          </div>
          {page && (
            <p className="mb-4 text-sm text-slate-600" data-testid="result-count" aria-live="polite">
              {page.total} {page.total === 1 ? "product" : "products"}
            </p>
          )}
          {!page ? (
            <EmptyState title="Those filters do not make sense together">
              <Link className="underline" href="/products">Start over</Link>
            </EmptyState>
          ) : page.items.length === 0 ? (
            <EmptyState title="No products match">
              Try fewer words or filters, or <Link className="underline" href={listingHref({ ...query, category: "", minPrice: "", maxPrice: "", inStock: false }, { page: 1 })}>clear the filters</Link>.
            </EmptyState>
          ) : (
            <>
              <ProductGrid products={page.items} />
              <Pagination query={query} total={page.total} pageSize={page.pageSize} />
            </>
          )}
        </section>
      </div>
    );
  });
}
