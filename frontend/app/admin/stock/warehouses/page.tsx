import type { Metadata } from "next";
import { StockNav } from "@/components/admin/stock-nav";
import { WarehouseManager } from "@/components/admin/warehouse-manager";
import { inventory } from "@/lib/api";
import { requireAccessToken } from "@/lib/session/server";

export const metadata: Metadata = { title: "Admin · Warehouses" };

export default async function AdminWarehouses() {
  const token = await requireAccessToken("/admin/stock/warehouses");
  const warehouses = await inventory.listWarehouses(token, { page_size: 100 });
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-3">
        <h1 className="text-2xl font-semibold">Warehouses</h1>
        <StockNav current="/admin/stock/warehouses" />
      </div>
      <WarehouseManager warehouses={warehouses.items} />
    </div>
  );
}
