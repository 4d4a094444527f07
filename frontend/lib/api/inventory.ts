import type { paths } from "./schema";
import { request, type Schemas } from "./client";
import {
  toAvailability, toMovement, toPage, toStockLevel, toWarehouse,
  type Availability, type Movement, type Page, type StockLevel, type Warehouse,
} from "./types";

export type WarehouseSearch = NonNullable<paths["/api/admin/warehouses"]["get"]["parameters"]["query"]>;
export type StockSearch = NonNullable<paths["/api/admin/stock"]["get"]["parameters"]["query"]>;
export type MovementSearch = NonNullable<paths["/api/admin/stock/movements"]["get"]["parameters"]["query"]>;
export type CreateWarehouse = Schemas["CreateWarehouse"];
export type UpdateWarehouse = Schemas["UpdateWarehouse"];
export type ReceiveStock = Schemas["ReceiveStock"];
export type AdjustStock = Schemas["AdjustStock"];

/** How many units of a SKU can be bought now (anyone; 0 for a SKU no warehouse holds). */
export async function getAvailability(sku: string, timeoutMs = 3_000): Promise<Availability> {
  return toAvailability(await request<Schemas["Availability"]>("GET", `/api/inventory/${encodeURIComponent(sku)}`, { timeoutMs }));
}

/** Warehouses by code (admin). */
export async function listWarehouses(token: string, query: WarehouseSearch = {}): Promise<Page<Warehouse>> {
  return toPage(await request<Schemas["WarehousePage"]>("GET", "/api/admin/warehouses", { token, query }), toWarehouse);
}

/** Create a warehouse (admin; 409 when the code is taken). */
export async function createWarehouse(token: string, body: CreateWarehouse): Promise<Warehouse> {
  return toWarehouse(await request<Schemas["Warehouse"]>("POST", "/api/admin/warehouses", { token, body }));
}

/** Rename or (de)activate a warehouse (admin). */
export async function updateWarehouse(token: string, id: string, body: UpdateWarehouse): Promise<Warehouse> {
  return toWarehouse(await request<Schemas["Warehouse"]>("PATCH", `/api/admin/warehouses/${encodeURIComponent(id)}`, { token, body }));
}

/** Stock levels by SKU then warehouse, filtered (admin). */
export async function listStock(token: string, query: StockSearch): Promise<Page<StockLevel>> {
  return toPage(await request<Schemas["StockLevelPage"]>("GET", "/api/admin/stock", { token, query }), toStockLevel);
}

/** Receive units into an active warehouse (admin; 422 field `sku` for a SKU the catalog does not sell). */
export async function receive(token: string, body: ReceiveStock): Promise<StockLevel> {
  return toStockLevel(await request<Schemas["StockLevel"]>("POST", "/api/admin/stock/receive", { token, body }));
}

/** Correct on hand by a signed delta (admin; 409 field `delta` below what is reserved). */
export async function adjust(token: string, body: AdjustStock): Promise<StockLevel> {
  return toStockLevel(await request<Schemas["StockLevel"]>("POST", "/api/admin/stock/adjust", { token, body }));
}

/** The movements ledger, newest first, filtered (admin). */
export async function listMovements(token: string, query: MovementSearch): Promise<Page<Movement>> {
  return toPage(await request<Schemas["MovementPage"]>("GET", "/api/admin/stock/movements", { token, query }), toMovement);
}
