import Link from "next/link";
import { MOVEMENT_CAUSES, type Warehouse } from "@/lib/api/types";
import type { MovementsQuery, StockQuery } from "@/lib/stock-query";
import { inputClass } from "@/components/layout/form-bits";
import { WarehouseSelect } from "./warehouse-select";

const button = "rounded border border-slate-900 px-3 py-2 font-medium hover:bg-slate-100";

/** The stock list's filters: a GET form, so the state is in the URL (and works without JavaScript). */
export function StockFilter({ query, warehouses }: { query: StockQuery; warehouses: Warehouse[] }) {
  return (
    <form action="/admin/stock" method="get" className="flex flex-wrap items-end gap-3 text-sm" data-testid="stock-filter">
      <WarehouseSelect warehouses={warehouses} name="warehouse" label="Warehouse" defaultValue={query.warehouse} emptyLabel="All warehouses" />
      <label className="flex flex-col gap-1 font-medium">
        SKU
        <input name="sku" defaultValue={query.sku} className={inputClass} />
      </label>
      <label className="flex items-center gap-2 self-center pt-5">
        <input type="checkbox" name="low" value="1" defaultChecked={query.low} className="h-4 w-4" /> Low stock only
      </label>
      <button type="submit" className={button}>Filter</button>
      <Link href="/admin/stock" className="self-center underline">Clear</Link>
    </form>
  );
}

/** The ledger's filters (GET form, state in the URL). */
export function MovementFilter({ query, warehouses }: { query: MovementsQuery; warehouses: Warehouse[] }) {
  return (
    <form action="/admin/stock/movements" method="get" className="flex flex-wrap items-end gap-3 text-sm" data-testid="movement-filter">
      <WarehouseSelect warehouses={warehouses} name="warehouse" label="Warehouse" defaultValue={query.warehouse} emptyLabel="All warehouses" />
      <label className="flex flex-col gap-1 font-medium">
        SKU
        <input name="sku" defaultValue={query.sku} className={inputClass} />
      </label>
      <label className="flex flex-col gap-1 font-medium">
        Cause
        <select name="cause" defaultValue={query.cause} className={inputClass}>
          <option value="">Any cause</option>
          {MOVEMENT_CAUSES.map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
      </label>
      <label className="flex flex-col gap-1 font-medium">
        Order
        <input name="order" defaultValue={query.order} placeholder="order id" className={inputClass} />
      </label>
      <button type="submit" className={button}>Filter</button>
      <Link href="/admin/stock/movements" className="self-center underline">Clear</Link>
    </form>
  );
}
