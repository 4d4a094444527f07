import { MOVEMENT_CAUSES, type MovementCause } from "./api/types";

/** The admin's stock levels list as the URL says: warehouse, SKU, low stock only, page. */
export interface StockQuery {
  warehouse: string;
  sku: string;
  low: boolean;
  page: number;
}

/** The movements ledger as the URL says. */
export interface MovementsQuery {
  warehouse: string;
  sku: string;
  cause: MovementCause | "";
  order: string;
  page: number;
}

export const STOCK_PAGE_SIZE = 25;

type RawParams = Record<string, string | string[] | undefined>;

const one = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? "") : (value ?? "")).trim();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SKU = /^[A-Z0-9][A-Z0-9._-]{0,63}$/;

const uuidOf = (value: string) => (UUID.test(value) ? value.toLowerCase() : "");
const skuOf = (value: string) => (SKU.test(value.toUpperCase()) ? value.toUpperCase() : "");
function pageOf(value: string): number {
  const page = Number.parseInt(value, 10);
  return Number.isFinite(page) && page >= 1 ? Math.min(page, 10_000) : 1;
}

/** Read the stock list's state from URL search params, ignoring what makes no sense. */
export function parseStockQuery(params: RawParams): StockQuery {
  return { warehouse: uuidOf(one(params.warehouse)), sku: skuOf(one(params.sku)), low: one(params.low) === "1", page: pageOf(one(params.page)) };
}

/** Read the ledger's state from URL search params. */
export function parseMovementsQuery(params: RawParams): MovementsQuery {
  const cause = one(params.cause);
  return {
    warehouse: uuidOf(one(params.warehouse)),
    sku: skuOf(one(params.sku)),
    cause: (MOVEMENT_CAUSES as readonly string[]).includes(cause) ? (cause as MovementCause) : "",
    order: uuidOf(one(params.order)),
    page: pageOf(one(params.page)),
  };
}

function href(path: string, values: Record<string, string | number | boolean>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (key === "page" ? Number(value) > 1 : value === true ? true : typeof value === "string" && value !== "") {
      params.set(key, value === true ? "1" : String(value));
    }
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** The stock list's URL in a state (defaults left out). */
export const stockHref = (query: StockQuery, change: Partial<StockQuery> = {}): string => href("/admin/stock", { ...query, ...change });

/** The ledger's URL in a state (defaults left out). */
export const movementsHref = (query: MovementsQuery, change: Partial<MovementsQuery> = {}): string =>
  href("/admin/stock/movements", { ...query, ...change });

/** The gateway query for the stock list. */
export const toStockSearch = (q: StockQuery) => ({
  warehouse_id: q.warehouse || undefined,
  sku: q.sku || undefined,
  low_stock: q.low ? true : undefined,
  page: q.page,
  page_size: STOCK_PAGE_SIZE,
});

/** The gateway query for the ledger. */
export const toMovementsSearch = (q: MovementsQuery) => ({
  warehouse_id: q.warehouse || undefined,
  sku: q.sku || undefined,
  cause: q.cause || undefined,
  order_id: q.order || undefined,
  page: q.page,
  page_size: STOCK_PAGE_SIZE,
});
