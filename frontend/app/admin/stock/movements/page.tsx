import type { Metadata } from "next";
import { MovementFilter } from "@/components/admin/stock-filters";
import { StockNav } from "@/components/admin/stock-nav";
import { MovementTable } from "@/components/admin/stock-tables";
import { PageLinks } from "@/components/catalog/pagination";
import { EmptyState } from "@/components/layout/empty-state";
import { inventory } from "@/lib/api";
import { requireAccessToken } from "@/lib/session/server";
import { movementsHref, parseMovementsQuery, toMovementsSearch } from "@/lib/stock-query";

export const metadata: Metadata = { title: "Admin · Stock movements" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AdminMovements({ searchParams }: Props) {
  const query = parseMovementsQuery(await searchParams);
  const token = await requireAccessToken(movementsHref(query));
  const [page, warehouses] = await Promise.all([
    inventory.listMovements(token, toMovementsSearch(query)),
    inventory.listWarehouses(token, { page_size: 100 }),
  ]);
  const codes = new Map(warehouses.items.map((w) => [w.id, w.code]));
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-3">
        <h1 className="text-2xl font-semibold">Stock movements</h1>
        <StockNav current="/admin/stock/movements" />
      </div>
      <MovementFilter query={query} warehouses={warehouses.items} />
      <p className="text-sm text-slate-600" data-testid="movement-count">{page.total} {page.total === 1 ? "movement" : "movements"}, newest first</p>
      {page.items.length === 0 ? (
        <EmptyState title="No movements match" />
      ) : (
        <MovementTable movements={page.items} codeOf={(id) => codes.get(id) ?? id.slice(0, 8)} />
      )}
      <PageLinks page={query.page} total={page.total} pageSize={page.pageSize} hrefFor={(p) => movementsHref(query, { page: p })} />
    </div>
  );
}
