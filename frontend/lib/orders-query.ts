import { ORDER_STATUSES, type OrderStatus } from "./api/types";

/** What an order list URL asks for (order history and the admin's list): all state in the URL. */
export interface OrdersQuery {
  status: OrderStatus | "";
  page: number;
}

export const ORDERS_PAGE_SIZE = 20;

/** URL search params as a page receives them. */
export type RawParams = Record<string, string | string[] | undefined>;

/** A search param's first value, trimmed ("" when absent). */
export const firstParam = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? "") : (value ?? "")).trim();

/** Read an order list's state from URL search params, ignoring what makes no sense. */
export function parseOrdersQuery(params: RawParams): OrdersQuery {
  const status = firstParam(params.status);
  const page = Number.parseInt(firstParam(params.page), 10);
  return {
    status: (ORDER_STATUSES as readonly string[]).includes(status) ? (status as OrderStatus) : "",
    page: Number.isFinite(page) && page >= 1 ? Math.min(page, 10_000) : 1,
  };
}

/** The URL of an order list at `path` in a state (defaults left out). */
export function ordersHref(path: string, query: OrdersQuery, change: Partial<OrdersQuery> = {}): string {
  const next = { ...query, ...change };
  const params = new URLSearchParams();
  if (next.status) params.set("status", next.status);
  if (next.page > 1) params.set("page", String(next.page));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** The gateway query for an order list state. */
export const toOrdersSearch = (query: OrdersQuery) => ({
  status: query.status || undefined,
  page: query.page,
  page_size: ORDERS_PAGE_SIZE,
});
