import { act, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CategoryManager } from "@/components/admin/category-manager";
import { ProductForm } from "@/components/admin/product-form";
import { ProductFilter } from "@/components/admin/product-filter";
import { ProductStatusForm } from "@/components/admin/product-status-form";
import { createProduct, setProductActive, updateCategory, updateProduct } from "@/lib/actions/admin";
import { initialResult } from "@/lib/actions/result";
import type { Schemas } from "@/lib/api/client";
import { toProduct, type CategoryNode } from "@/lib/api/types";
import { adminProductsHref, listingHref, parseAdminProductsQuery } from "@/lib/listing-query";
import { fakeGateway, json, noContent, problem, type FakeGateway } from "./fake-gateway";

vi.mock("next/navigation", () => ({
  useRouter: () => ({ push: vi.fn(), refresh: vi.fn() }),
  redirect: (url: string) => {
    throw new Error(`redirect ${url}`);
  },
}));

const PRODUCT = "4e5f6a7b-0000-4000-8000-000000000001";
const CATEGORY = "5f6a7b8c-0000-4000-8000-000000000002";
const productWire = (extra: Partial<Schemas["Product"]> = {}): Schemas["Product"] => ({
  id: PRODUCT, sku: "TST-LAMP-1", slug: "test-lamp", name: "Test lamp", description: "", price: { amount_minor: 2450, currency: "USD" },
  category: null, attributes: {}, images: [], in_stock: false, active: true, created_at: "2026-12-03T10:00:00Z", updated_at: "2026-12-03T10:00:00Z", ...extra,
});
const lamps: CategoryNode = { id: CATEGORY, slug: "lamps", name: "Lamps", parentId: null, description: "Things that glow", position: 0, active: true, productCount: 1, children: [] };
const categoryWire = { id: CATEGORY, parent_id: null, slug: "lamps", name: "Lanterns", description: "", position: 0, active: true, product_count: 1,
  created_at: "2026-12-03T10:00:00Z", updated_at: "2026-12-03T10:00:00Z", children: [], path: [{ id: CATEGORY, slug: "lamps", name: "Lanterns" }] };

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
};

let gateway: FakeGateway;
beforeEach(() => {
  gateway = fakeGateway();
});
afterEach(() => vi.unstubAllGlobals());

describe("the admin's product actions", () => {
  it("deactivate with DELETE and reactivate with active: true, and say which they did", async () => {
    gateway.answer("DELETE", `/api/products/${PRODUCT}`, noContent());
    gateway.answer("PATCH", `/api/products/${PRODUCT}`, json(200, productWire()));
    expect(await setProductActive(initialResult, form({ id: PRODUCT, intent: "deactivate" }))).toMatchObject({ ok: true, message: expect.stringMatching(/deactivated: it has left the shop/) });
    expect(await setProductActive(initialResult, form({ id: PRODUCT, intent: "activate" }))).toMatchObject({ ok: true, message: expect.stringMatching(/reactivated: it is in the shop again/) });
    expect(gateway.sent("DELETE")).toHaveLength(1);
    expect(gateway.sent("PATCH")[0]!.body).toEqual({ active: true });
  });

  it("show what the API refused", async () => {
    gateway.answer("DELETE", `/api/products/${PRODUCT}`, problem(404, "No product with this id."));
    expect(await setProductActive(initialResult, form({ id: PRODUCT, intent: "deactivate" }))).toEqual({ ok: false, message: "No product with this id.", fieldErrors: {} });
  });

  it("save an edit without touching whether the product is in the shop", async () => {
    gateway.answer("PATCH", `/api/products/${PRODUCT}`, json(200, productWire()));
    await updateProduct(initialResult, form({ id: PRODUCT, name: "Test lantern", price: "24.50", currency: "USD", category_id: CATEGORY }));
    const body = gateway.sent("PATCH")[0]!.body as Record<string, unknown>;
    expect(body).toMatchObject({ name: "Test lantern", price: { amount_minor: 2450, currency: "USD" }, category_id: CATEGORY });
    expect(body).not.toHaveProperty("active");
  });

  it("create a product active or not, as the box says, then open it", async () => {
    gateway.answer("POST", "/api/products", json(201, productWire()));
    await expect(createProduct(initialResult, form({ sku: "TST-LAMP-1", name: "Test lamp", price: "24.50" }))).rejects.toThrow(`redirect /admin/products/${PRODUCT}?created=1`);
    expect(gateway.sent("POST")[0]!.body).toMatchObject({ sku: "TST-LAMP-1", active: false });
  });
});

describe("the admin's product pages", () => {
  it("offer Deactivate for an active product and Reactivate for a deactivated one, and say what it did", async () => {
    gateway.answer("DELETE", `/api/products/${PRODUCT}`, noContent());
    const { rerender } = render(<ProductStatusForm product={{ id: PRODUCT, active: true }} />);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Deactivate product" })));
    expect(screen.getByRole("status").textContent).toBe("Product deactivated: it has left the shop.");
    rerender(<ProductStatusForm product={{ id: PRODUCT, active: false }} />); // the page, read again
    expect(screen.getByRole("button", { name: "Reactivate product" })).toBeTruthy();
    expect(screen.getByRole("status").textContent).toBe("Product deactivated: it has left the shop.");
    expect(screen.getByText(/can neither find nor buy it/)).toBeTruthy();
  });

  it("ask whether a new product is active, and leave that to the status form once it exists", () => {
    const { unmount } = render(<ProductForm tree={[lamps]} />);
    expect(screen.getByRole("checkbox", { name: /Active/ })).toHaveProperty("checked", true);
    unmount();
    render(<ProductForm tree={[lamps]} product={toProduct(productWire({ active: false }))} />);
    expect(screen.queryByRole("checkbox", { name: /Active/ })).toBeNull();
  });

  it("search and page within the admin's list, not the shop's", () => {
    const query = parseAdminProductsQuery({ q: "lamp", page: "2" });
    expect(adminProductsHref(query, { page: 3 })).toBe("/admin/products?q=lamp&page=3");
    expect(listingHref(query)).toBe("/products?q=lamp&page=2");
    render(<ProductFilter query={query} />);
    expect(screen.getByRole("search", { name: "Search products by name or SKU" }).getAttribute("action")).toBe("/admin/products");
    const box = screen.getByRole("searchbox", { name: "Search products by name or SKU" }) as HTMLInputElement;
    expect([box.id, box.name, box.value]).toEqual(["admin-product-search", "q", "lamp"]);
  });
});

describe("the admin's categories", () => {
  it("edit a category's name, description and parent", async () => {
    gateway.answer("PATCH", `/api/categories/${CATEGORY}`, json(200, categoryWire));
    const answer = await updateCategory(initialResult, form({ id: CATEGORY, name: "Lanterns", description: "Lights for the trail", parent_id: "" }));
    expect(answer).toMatchObject({ ok: true, message: "Category saved." });
    expect(gateway.sent("PATCH")[0]!.body).toEqual({ name: "Lanterns", description: "Lights for the trail", parent_id: null });
  });

  it("list every category with its own forms, the description among them", () => {
    render(<CategoryManager tree={[lamps]} />);
    const row = screen.getByTestId("category");
    expect(row.dataset.slug).toBe("lamps");
    expect((row.querySelector("input[name=description]") as HTMLInputElement).value).toBe("Things that glow");
    expect(screen.getByTestId("category-form").querySelector("input[name=description]")).toBeTruthy();
  });
});
