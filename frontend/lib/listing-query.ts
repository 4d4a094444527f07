import type { AdminProductSearch, ProductSearch } from "./api/catalog";
import { PRODUCT_STATUSES, SORT_ORDERS, type ProductStatus, type SortOrder } from "./api/types";
import { majorToMinor } from "./format";

/** What a listing URL asks for; every piece of listing state lives in the URL. */
export interface ListingQuery {
  q: string;
  category: string;
  minPrice: string; // whole currency units, as typed
  maxPrice: string;
  inStock: boolean;
  sort: SortOrder | "";
  page: number;
}

export const PAGE_SIZE = 12;

type RawParams = Record<string, string | string[] | undefined>;

const one = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? "") : (value ?? "")).trim();

/** Read the listing's state from URL search params, ignoring what makes no sense. */
export function parseListingQuery(params: RawParams): ListingQuery {
  const sort = one(params.sort);
  const page = Number.parseInt(one(params.page), 10);
  const price = (text: string) => (majorToMinor(text) === undefined ? "" : text);
  return {
    q: one(params.q).slice(0, 200),
    category: one(params.category),
    minPrice: price(one(params.min_price)),
    maxPrice: price(one(params.max_price)),
    inStock: ["1", "true", "on"].includes(one(params.in_stock)),
    sort: (SORT_ORDERS as readonly string[]).includes(sort) ? (sort as SortOrder) : "",
    page: Number.isFinite(page) && page >= 1 ? Math.min(page, 10_000) : 1,
  };
}

/** The URL of a listing state at `path` (defaults left out, so URLs stay short). */
export function listingHref(query: ListingQuery, change: Partial<ListingQuery> = {}, path = "/products"): string {
  return hrefOf(path, { ...query, ...change });
}

function hrefOf(path: string, next: ListingQuery, status: ProductStatus = "active"): string {
  const params = new URLSearchParams();
  if (next.q) params.set("q", next.q);
  if (status !== "active") params.set("status", status);
  if (next.category) params.set("category", next.category);
  if (next.minPrice) params.set("min_price", next.minPrice);
  if (next.maxPrice) params.set("max_price", next.maxPrice);
  if (next.inStock) params.set("in_stock", "1");
  if (next.sort) params.set("sort", next.sort);
  if (next.page > 1) params.set("page", String(next.page));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** The gateway query for a listing state. */
export function toProductSearch(query: ListingQuery): ProductSearch {
  let min = majorToMinor(query.minPrice);
  let max = majorToMinor(query.maxPrice);
  if (min !== undefined && max !== undefined && min > max) [min, max] = [max, min];
  return {
    q: query.q || undefined,
    category: query.category || undefined,
    min_price: min,
    max_price: max,
    in_stock: query.inStock ? true : undefined,
    sort: query.sort || undefined,
    page: query.page,
    page_size: PAGE_SIZE,
  };
}

/** The admin's product list: the listing's state, and which products by status (default: active ones, as the shop). */
export interface AdminProductsQuery extends ListingQuery {
  status: ProductStatus;
}

export const ADMIN_PRODUCTS_PATH = "/admin/products";
export const ADMIN_PAGE_SIZE = 25;

/** Read the admin's product list state from URL search params (an unknown status is the default). */
export function parseAdminProductsQuery(params: RawParams): AdminProductsQuery {
  const status = one(params.status);
  return { ...parseListingQuery(params), status: (PRODUCT_STATUSES as readonly string[]).includes(status) ? (status as ProductStatus) : "active" };
}

/** The URL of an admin product list state (`status` left out while it is `active`). */
export function adminProductsHref(query: AdminProductsQuery, change: Partial<AdminProductsQuery> = {}): string {
  const next = { ...query, ...change };
  return hrefOf(ADMIN_PRODUCTS_PATH, next, next.status);
}

/** The gateway query of the admin's list: the listing's, newest first unless sorted, with its status. */
export function toAdminProductSearch(query: AdminProductsQuery): AdminProductSearch {
  return { ...toProductSearch(query), sort: query.sort || "newest", page_size: ADMIN_PAGE_SIZE, status: query.status };
}
