"use client";

import { ORDER_STATUSES } from "@/lib/api/types";
import { STATUS_LABELS } from "@/lib/order-status";
import type { OrdersQuery } from "@/lib/orders-query";
import { inputClass } from "@/components/layout/form-bits";

/** The admin's status filter: a GET form (state in the URL), applied on change with JavaScript. */
export function OrderStatusFilter({ query }: { query: OrdersQuery }) {
  return (
    <form action="/admin/orders" method="get" className="flex flex-wrap items-end gap-2 text-sm">
      <label className="flex flex-col gap-1 font-medium">
        Status
        <select name="status" defaultValue={query.status} onChange={(e) => e.currentTarget.form?.requestSubmit()} className={inputClass}>
          <option value="">Any status</option>
          {ORDER_STATUSES.map((s) => <option key={s} value={s}>{STATUS_LABELS[s]}</option>)}
        </select>
      </label>
      <button type="submit" className="rounded border border-slate-900 px-3 py-2 font-medium hover:bg-slate-100">Filter</button>
    </form>
  );
}
