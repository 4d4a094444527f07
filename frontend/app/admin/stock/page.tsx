import type { Metadata } from "next";
import Link from "next/link";
import { AdjustStockForm, ReceiveStockForm } from "@/components/admin/stock-forms";
import { StockFilter } from "@/components/admin/stock-filters";
import { StockNav } from "@/components/admin/stock-nav";
import { StockTable } from "@/components/admin/stock-tables";
import { PageLinks } from "@/components/catalog/pagination";
import { EmptyState } from "@/components/layout/empty-state";
import { inventory } from "@/lib/api";
import { requireAccessToken } from "@/lib/session/server";
import { parseStockQuery, stockHref, toStockSearch } from "@/lib/stock-query";

export const metadata: Metadata = { title: "Admin · Stock" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AdminStock({ searchParams }: Props) {
  const query = parseStockQuery(await searchParams);
  const token = await requireAccessToken(stockHref(query));
  const [page, warehouses] = await Promise.all([
    inventory.listStock(token, toStockSearch(query)),
    inventory.listWarehouses(token, { page_size: 100 }),
  ]);
  const active = warehouses.items.filter((w) => w.active);
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-3">
        <h1 className="text-2xl font-semibold">Stock</h1>
        <StockNav current="/admin/stock" />
      </div>
      <section aria-labelledby="levels-heading" className="flex flex-col gap-3">
        <h2 id="levels-heading" className="font-semibold">{query.low ? "Low stock" : "Stock levels"}</h2>
        <StockFilter query={query} warehouses={warehouses.items} />
        <p className="text-sm text-slate-600" data-testid="stock-count">
          {page.total} {page.total === 1 ? "level" : "levels"}{query.low ? " at or below their threshold" : ""}, by SKU then warehouse
        </p>
        {page.items.length === 0 ? (
          <EmptyState title={query.low ? "Nothing is low on stock" : "No stock levels match"}>
            {warehouses.total === 0 ? "Create a warehouse first, then receive stock into it." : "Receive stock below to start a level."}
          </EmptyState>
        ) : (
          <StockTable levels={page.items} />
        )}
        <PageLinks page={query.page} total={page.total} pageSize={page.pageSize} hrefFor={(p) => stockHref(query, { page: p })} />
      </section>
      {active.length === 0 ? (
        <p className="text-sm text-slate-600">No active warehouse can take stock: <Link href="/admin/stock/warehouses" className="underline">create or activate one</Link>.</p>
      ) : (
        <div className="grid gap-8 lg:grid-cols-2">
          <section aria-labelledby="receive-heading">
            <h2 id="receive-heading" className="mb-2 font-semibold">Receive stock</h2>
            <ReceiveStockForm warehouses={active} sku={query.sku} />
          </section>
          <section aria-labelledby="adjust-heading">
            <h2 id="adjust-heading" className="mb-2 font-semibold">Adjust stock</h2>
            <AdjustStockForm warehouses={warehouses.items} sku={query.sku} />
          </section>
        </div>
      )}
    </div>
  );
}
