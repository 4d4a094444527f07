import type { Metadata } from "next";
import Link from "next/link";
import { PRODUCT_STATUS_LABELS, ProductFilter } from "@/components/admin/product-filter";
import { Price } from "@/components/catalog/price";
import { PageLinks } from "@/components/catalog/pagination";
import { EmptyState } from "@/components/layout/empty-state";
import { catalog, type ProductStatus } from "@/lib/api";
import { adminProductsHref, parseAdminProductsQuery, toAdminProductSearch } from "@/lib/listing-query";
import { requireAccessToken } from "@/lib/session/server";

export const metadata: Metadata = { title: "Admin · Products" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const COUNTED: Record<ProductStatus, [string, string]> = {
  active: ["active product", "active products"],
  inactive: ["deactivated product (not in the shop)", "deactivated products (not in the shop)"],
  any: ["product, active and deactivated", "products, active and deactivated"],
};

export default async function AdminProducts({ searchParams }: Props) {
  const query = parseAdminProductsQuery(await searchParams);
  const token = await requireAccessToken(adminProductsHref(query));
  // With the admin's token: `status` lists deactivated products too (the shop's search never sends one).
  const page = await catalog.searchProductsAsAdmin(token, toAdminProductSearch(query));
  const [one, many] = COUNTED[query.status];
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">Products</h1>
        <Link href="/admin/products/new" className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white">New product</Link>
      </div>
      <div className="max-w-xl">
        <ProductFilter query={query} />
      </div>
      <p className="text-sm text-slate-600" data-testid="admin-product-count">{page.total} {page.total === 1 ? one : many}</p>
      {page.items.length === 0 ? (
        <EmptyState title={query.status === "active" ? "No products match" : `No ${PRODUCT_STATUS_LABELS[query.status].toLowerCase()} products match`} />
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="admin-product-table">
            <thead className="border-b border-slate-300 text-slate-500">
              <tr><th className="py-2">Name</th><th>SKU</th><th>Category</th><th className="text-right">Price</th><th className="pl-4">Stock</th><th>Status</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {page.items.map((p) => (
                <tr key={p.id} data-testid="admin-product" data-sku={p.sku} data-active={p.active}>
                  <td className="py-2"><Link href={`/admin/products/${p.id}`} className="underline">{p.name}</Link></td>
                  <td className="font-mono text-xs">{p.sku}</td>
                  <td>{p.category?.name ?? "—"}</td>
                  <td className="text-right"><Price money={p.price} /></td>
                  <td className="pl-4">{p.inStock ? "in stock" : "out"}</td>
                  <td>{p.active ? "active" : <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs">deactivated</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PageLinks page={query.page} total={page.total} pageSize={page.pageSize} hrefFor={(p) => adminProductsHref(query, { page: p })} />
    </div>
  );
}
