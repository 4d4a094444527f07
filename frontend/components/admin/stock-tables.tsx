import Link from "next/link";
import type { Movement, StockLevel } from "@/lib/api/types";
import { LocalTime } from "@/components/layout/local-time";

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** Stock levels: one row per warehouse and SKU, low ones marked. */
export function StockTable({ levels }: { levels: StockLevel[] }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="stock-table">
        <thead className="border-b border-slate-300 text-slate-500">
          <tr>
            <th className="py-2">SKU</th><th>Warehouse</th><th className="text-right">On hand</th><th className="text-right">Reserved</th>
            <th className="text-right">Available</th><th className="text-right">Threshold</th><th className="pl-3">Updated</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200">
          {levels.map((l) => (
            <tr key={l.id} data-testid="stock-row" data-sku={l.sku} data-warehouse={l.warehouseCode}>
              <td className="py-2 font-mono text-xs">
                <Link href={`/admin/stock/movements?sku=${encodeURIComponent(l.sku)}`} className="underline">{l.sku}</Link>
              </td>
              <td className="font-mono text-xs">{l.warehouseCode}</td>
              <td className="text-right" data-testid="on-hand">{l.onHand}</td>
              <td className="text-right">{l.reserved}</td>
              <td className="text-right" data-testid="available">
                {l.available}
                {l.lowStock && <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900">low</span>}
              </td>
              <td className="text-right">{l.lowStockThreshold}</td>
              <td className="pl-3 whitespace-nowrap"><LocalTime iso={l.updatedAt} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The ledger: newest first, each change of on hand or reserved with its cause. */
export function MovementTable({ movements, codeOf }: { movements: Movement[]; codeOf: (warehouseId: string) => string }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="movement-table">
        <thead className="border-b border-slate-300 text-slate-500">
          <tr>
            <th className="py-2">When</th><th>SKU</th><th>Warehouse</th><th>Cause</th><th className="text-right">On hand</th>
            <th className="text-right">Reserved</th><th className="pl-3">Reason</th><th>By</th><th>Order</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200">
          {movements.map((m) => (
            <tr key={m.id} data-testid="movement-row" data-cause={m.cause} data-sku={m.sku}>
              <td className="py-2 whitespace-nowrap"><LocalTime iso={m.at} /></td>
              <td className="font-mono text-xs">{m.sku}</td>
              <td className="font-mono text-xs">{codeOf(m.warehouseId)}</td>
              <td>{m.cause}</td>
              <td className="text-right">{signed(m.onHandDelta)}</td>
              <td className="text-right">{signed(m.reservedDelta)}</td>
              <td className="pl-3">{m.reason}</td>
              <td className="break-all text-xs">{m.actor ?? "system"}</td>
              <td className="font-mono text-xs">
                {m.orderId ? <Link href={`/admin/orders/${m.orderId}`} className="underline">{m.orderId.slice(0, 8)}</Link> : "—"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
