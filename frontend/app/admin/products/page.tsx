import type { Metadata } from "next";
import Link from "next/link";
import { Price } from "@/components/catalog/price";
import { Pagination } from "@/components/catalog/pagination";
import { SearchBox } from "@/components/layout/search-box";
import { EmptyState } from "@/components/layout/empty-state";
import { catalog } from "@/lib/api";
import { parseListingQuery, toProductSearch } from "@/lib/listing-query";

export const metadata: Metadata = { title: "Admin · Products" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AdminProducts({ searchParams }: Props) {
  const query = parseListingQuery(await searchParams);
  const page = await catalog.searchProducts({ ...toProductSearch(query), sort: query.sort || "newest", page_size: 25 });
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">Products</h1>
        <Link href="/admin/products/new" className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white">New product</Link>
      </div>
      <p className="text-sm text-slate-600">Active products ({page.total}); a deactivated product stays reachable from its edit page.</p>
      <div className="max-w-md"><SearchBox defaultValue={query.q} /></div>
      {page.items.length === 0 ? (
        <EmptyState title="No products match" />
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-300 text-slate-500">
              <tr><th className="py-2">Name</th><th>SKU</th><th>Category</th><th className="text-right">Price</th><th>Stock</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {page.items.map((p) => (
                <tr key={p.id}>
                  <td className="py-2"><Link href={`/admin/products/${p.id}`} className="underline">{p.name}</Link></td>
                  <td className="font-mono text-xs">{p.sku}</td>
                  <td>{p.category?.name ?? "—"}</td>
                  <td className="text-right"><Price money={p.price} /></td>
                  <td>{p.inStock ? "in stock" : "out"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination query={query} total={page.total} pageSize={page.pageSize} />
    </div>
  );
}
