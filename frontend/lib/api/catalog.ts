import type { paths } from "./schema";
import { request, type Schemas } from "./client";
import { toCategory, toCategoryNode, toProduct, toProductPage, type Category, type CategoryNode, type Product, type ProductPage, type ProductStatus } from "./types";

type SearchQuery = NonNullable<paths["/api/products"]["get"]["parameters"]["query"]>;

/** What the shop searches by: everything but `status` (active products only, for everyone). */
export type ProductSearch = Omit<SearchQuery, "status">;

/** The admin's product search: the shop's, and which products by `status`. */
export type AdminProductSearch = ProductSearch & { status: ProductStatus };

/**
 * Search active products (full text, filters, sort, page) with category facet counts, as the shop
 * does: never with a token (and never a `status`), so the answer is the public, cacheable one and
 * the same for every shopper (no deactivated category in the facets).
 */
export async function searchProducts(query: ProductSearch): Promise<ProductPage> {
  return toProductPage(await request<Schemas["ProductPage"]>("GET", "/api/products", { query: { ...query, status: undefined } }));
}

/**
 * Search as an admin (token): `status` also lists deactivated products, and deactivated categories
 * count in the facets. For the admin's pages only: the answer is private to the admin.
 */
export async function searchProductsAsAdmin(token: string, query: AdminProductSearch): Promise<ProductPage> {
  return toProductPage(await request<Schemas["ProductPage"]>("GET", "/api/products", { query, token }));
}

/** One product by id or slug; admins (token) also see deactivated ones. */
export async function getProduct(ref: string, token?: string | null): Promise<Product> {
  return toProduct(await request<Schemas["Product"]>("GET", `/api/products/${encodeURIComponent(ref)}`, { token }));
}

/** The category tree the shop shows (roots with their children), never with a token: no deactivated category. */
export async function getCategoryTree(): Promise<CategoryNode[]> {
  return (await request<Schemas["CategoryTree"]>("GET", "/api/categories")).items.map(toCategoryNode);
}

/** Every category, deactivated ones (and those below them) too, each with `active`: for the admin's pages only. */
export async function getCategoryTreeAsAdmin(token: string): Promise<CategoryNode[]> {
  return (await request<Schemas["CategoryTree"]>("GET", "/api/categories", { token })).items.map(toCategoryNode);
}

/** One category by id or slug, with its subtree and path. */
export async function getCategory(ref: string): Promise<Category> {
  return toCategory(await request<Schemas["Category"]>("GET", `/api/categories/${encodeURIComponent(ref)}`));
}

export type CreateProduct = Schemas["CreateProduct"];
export type UpdateProduct = Schemas["UpdateProduct"];
export type CreateCategory = Schemas["CreateCategory"];
export type UpdateCategory = Schemas["UpdateCategory"];

/** Create a product (admin). */
export async function createProduct(token: string, body: CreateProduct): Promise<Product> {
  return toProduct(await request<Schemas["Product"]>("POST", "/api/products", { token, body }));
}

/** Partially update a product (admin). */
export async function updateProduct(token: string, id: string, body: UpdateProduct): Promise<Product> {
  return toProduct(await request<Schemas["Product"]>("PATCH", `/api/products/${id}`, { token, body }));
}

/** Deactivate a product (admin): gone from the storefront, kept for history. */
export async function deactivateProduct(token: string, id: string): Promise<void> {
  await request<void>("DELETE", `/api/products/${id}`, { token });
}

/** Create a category (admin). */
export async function createCategory(token: string, body: CreateCategory): Promise<Category> {
  return toCategory(await request<Schemas["Category"]>("POST", "/api/categories", { token, body }));
}

/** Rename, re-slug, move, reorder, deactivate or reactivate (`active`) a category (admin). */
export async function updateCategory(token: string, id: string, body: UpdateCategory): Promise<Category> {
  return toCategory(await request<Schemas["Category"]>("PATCH", `/api/categories/${id}`, { token, body }));
}

/** Delete a category (admin); a 409 ApiError while it has products or subcategories. */
export async function deleteCategory(token: string, id: string): Promise<void> {
  await request<void>("DELETE", `/api/categories/${id}`, { token });
}
