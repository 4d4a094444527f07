import type { Metadata } from "next";
import Link from "next/link";
import { Price } from "@/components/catalog/price";
import { PageLinks } from "@/components/catalog/pagination";
import { SearchBox } from "@/components/layout/search-box";
import { EmptyState } from "@/components/layout/empty-state";
import { catalog, type Product } from "@/lib/api";
import { listingHref, parseListingQuery, toProductSearch } from "@/lib/listing-query";
import { requireAccessToken } from "@/lib/session/server";

export const metadata: Metadata = { title: "Admin · Products" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const PATH = "/admin/products";

/**
 * The product a search names exactly by SKU or slug, deactivated ones included (only an admin's
 * read shows those): the catalog's search lists active products only, so this is how an admin
 * finds a deactivated product again. Null when there is none (or the words are no SKU at all).
 */
async function deactivatedNamed(q: string, token: string): Promise<Product | null> {
  if (!q || /\s/.test(q)) return null;
  const product = await catalog.getProduct(q, token).catch(() => null);
  return product && !product.active ? product : null;
}

export default async function AdminProducts({ searchParams }: Props) {
  const query = parseListingQuery(await searchParams);
  const token = await requireAccessToken(listingHref(query, {}, PATH));
  const [page, deactivated] = await Promise.all([
    catalog.searchProducts({ ...toProductSearch(query), sort: query.sort || "newest", page_size: 25 }),
    query.page === 1 ? deactivatedNamed(query.q, token) : null,
  ]);
  const rows = deactivated ? [deactivated, ...page.items] : page.items;
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">Products</h1>
        <Link href="/admin/products/new" className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white">New product</Link>
      </div>
      <p className="text-sm text-slate-600">
        Active products ({page.total}). A deactivated product is found by its exact SKU or slug, and stays reachable from its edit page.
      </p>
      <div className="max-w-md">
        <SearchBox defaultValue={query.q} action={PATH} label="Search products by name or SKU" id="admin-product-search" />
      </div>
      {rows.length === 0 ? (
        <EmptyState title="No products match" />
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="admin-product-table">
            <thead className="border-b border-slate-300 text-slate-500">
              <tr><th className="py-2">Name</th><th>SKU</th><th>Category</th><th className="text-right">Price</th><th>Stock</th><th>Status</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {rows.map((p) => (
                <tr key={p.id} data-testid="admin-product" data-sku={p.sku} data-active={p.active}>
                  <td className="py-2"><Link href={`/admin/products/${p.id}`} className="underline">{p.name}</Link></td>
                  <td className="font-mono text-xs">{p.sku}</td>
                  <td>{p.category?.name ?? "—"}</td>
                  <td className="text-right"><Price money={p.price} /></td>
                  <td>{p.inStock ? "in stock" : "out"}</td>
                  <td>{p.active ? "active" : <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs">deactivated</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PageLinks page={query.page} total={page.total} pageSize={page.pageSize} hrefFor={(p) => listingHref(query, { page: p }, PATH)} />
    </div>
  );
}
