import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CategoryManager } from "@/components/admin/category-manager";
import { CategoryStatusForm } from "@/components/admin/category-status-form";
import { ProductFilter } from "@/components/admin/product-filter";
import { ProductForm } from "@/components/admin/product-form";
import { setCategoryActive } from "@/lib/actions/admin";
import { initialResult } from "@/lib/actions/result";
import type { Schemas } from "@/lib/api/client";
import { toProduct, type CategoryNode } from "@/lib/api/types";
import { categoryRows, visibilityTag } from "@/lib/category-visibility";
import { adminProductsHref, parseAdminProductsQuery, toAdminProductSearch } from "@/lib/listing-query";
import { ACCESS_TOKEN, fakeGateway, json, problem, type FakeGateway } from "./fake-gateway";

vi.mock("next/navigation", () => ({
  useRouter: () => ({ push: vi.fn(), refresh: vi.fn() }),
  redirect: (url: string) => {
    throw new Error(`redirect ${url}`);
  },
}));

const node = (slug: string, active: boolean, children: CategoryNode[] = []): CategoryNode => ({
  id: `id-${slug}`, slug, name: slug[0]!.toUpperCase() + slug.slice(1), parentId: null, description: "", position: 0, active, productCount: 2, children,
});
// Outdoor (active) > Camping (inactive) > Tents (active, so hidden) > Domes (inactive too); Kitchen (active).
const tree = [node("outdoor", true, [node("camping", false, [node("tents", true, [node("domes", false)])])]), node("kitchen", true)];

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
};

const categoryWire = (id: string, active: boolean): Schemas["Category"] => ({
  id, parent_id: null, slug: id, name: id, description: "", position: 0, active, product_count: 0,
  created_at: "2026-12-03T10:00:00Z", updated_at: "2026-12-03T10:00:00Z", children: [], path: [{ id, slug: id, name: id }],
});

let gateway: FakeGateway;
beforeEach(() => {
  gateway = fakeGateway();
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("which categories the shop shows", () => {
  it("marks a deactivated category, and those below it as hidden by the nearest deactivated one above", () => {
    const rows = categoryRows(tree).map((r) => [r.node.slug, r.depth, r.shown, r.hiddenBy?.slug ?? null, visibilityTag(r)]);
    expect(rows).toEqual([
      ["outdoor", 0, true, null, ""],
      ["camping", 1, false, null, "inactive"],
      ["tents", 2, false, "camping", "hidden"],
      ["domes", 3, false, "camping", "inactive"], // Tents is active: Camping still hides it
      ["kitchen", 0, true, null, ""],
    ]);
  });

  it("names the nearest deactivated category above when there are two", () => {
    const deep = [node("a", false, [node("b", false, [node("c", true)])])];
    expect(categoryRows(deep).map((r) => r.hiddenBy?.slug ?? null)).toEqual([null, "a", "b"]);
  });
});

describe("the admin's category list", () => {
  it("shows every category, deactivated ones marked Inactive and those below them as hidden", () => {
    render(<CategoryManager tree={tree} />);
    const rows = screen.getAllByTestId("category");
    expect(rows.map((r) => [r.dataset.slug, r.dataset.active, r.dataset.shown])).toEqual([
      ["outdoor", "true", "true"], ["camping", "false", "false"], ["tents", "true", "false"], ["domes", "false", "false"], ["kitchen", "true", "true"],
    ]);
    const [outdoor, camping, tents, domes] = rows as [HTMLElement, HTMLElement, HTMLElement, HTMLElement];
    expect(within(outdoor).queryByTestId("category-inactive")).toBeNull();
    expect(within(outdoor).queryByTestId("category-hidden")).toBeNull();
    expect(within(camping.querySelector("summary")!).getByTestId("category-inactive").textContent).toBe("Inactive");
    expect(within(tents).queryByTestId("category-inactive")).toBeNull();
    expect(within(tents).getByTestId("category-hidden").textContent).toBe("Hidden: below inactive “Camping”");
    expect(within(domes).getByTestId("category-inactive")).toBeTruthy();
    // One action per category, for what its own state allows.
    expect(within(outdoor).getByRole("button", { name: "Deactivate category" })).toBeTruthy();
    expect(within(camping).getByRole("button", { name: "Reactivate category" })).toBeTruthy();
    expect(within(tents).getByRole("button", { name: "Deactivate category" })).toBeTruthy();
    // Editing and deleting stay, for active and inactive categories alike.
    for (const row of [outdoor, camping]) {
      expect(within(row).getByRole("button", { name: "Save" })).toBeTruthy();
      expect(within(row).getByRole("button", { name: "Delete category" })).toBeTruthy();
    }
  });

  it("tags the categories the shop does not show in the parent select", () => {
    render(<CategoryManager tree={tree} />);
    const options = [...screen.getByTestId("category-form").querySelectorAll("option")].map((o) => o.textContent!.trim());
    expect(options).toEqual(["None (a top-level category)", "Outdoor", "Camping (inactive)", "Tents (hidden)", "Domes (inactive)", "Kitchen"]);
  });

  it("keeps a product's deactivated category selected in its form", () => {
    const product = toProduct({
      id: "p-1", sku: "TST-1", slug: "tst-1", name: "Test", description: "", price: { amount_minor: 100, currency: "USD" },
      category: { id: "id-camping", slug: "camping", name: "Camping" }, attributes: {}, images: [], in_stock: true, active: true,
      created_at: "2026-12-03T10:00:00Z", updated_at: "2026-12-03T10:00:00Z",
    });
    render(<ProductForm tree={tree} product={product} />);
    const select = screen.getByRole("combobox", { name: "Category" }) as HTMLSelectElement;
    expect(select.value).toBe("id-camping");
    expect(select.selectedOptions[0]!.textContent!.trim()).toBe("Camping (inactive)");
  });

  it("deactivates, then offers to reactivate, saying what it did", async () => {
    gateway.answer("PATCH", "/api/categories/id-outdoor", json(200, categoryWire("id-outdoor", false)), json(200, categoryWire("id-outdoor", true)));
    const outdoor = categoryRows(tree)[0]!;
    const { rerender } = render(<CategoryStatusForm row={outdoor} />);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Deactivate category" })));
    expect(gateway.sent("PATCH")[0]!.body).toEqual({ active: false });
    expect(screen.getByRole("status").textContent).toMatch(/^Category deactivated: it and the categories below it have left the shop's navigation/);
    rerender(<CategoryStatusForm row={{ ...outdoor, node: { ...outdoor.node, active: false } }} />); // the page, read again
    expect(screen.getByRole("status").textContent).toMatch(/^Category deactivated/);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Reactivate category" })));
    expect(gateway.sent("PATCH")[1]!.body).toEqual({ active: true });
    expect(screen.getByRole("status").textContent).toBe("Category reactivated: it is in the shop's navigation again.");
  });
});

describe("the category status action", () => {
  it("says when a reactivated category stays hidden by one above it", async () => {
    gateway.answer("PATCH", "/api/categories/id-domes", json(200, categoryWire("id-domes", true)));
    const answer = await setCategoryActive(initialResult, form({ id: "id-domes", intent: "activate", hidden_by: "Camping" }));
    expect(answer).toEqual({ ok: true, message: "Category reactivated, but it stays out of the shop while “Camping” above it is inactive.", fieldErrors: {} });
    expect(gateway.sent("PATCH")[0]!.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
  });

  it("shows what the API refused", async () => {
    gateway.answer("PATCH", "/api/categories/id-gone", problem(404, "No category with this id."));
    expect(await setCategoryActive(initialResult, form({ id: "id-gone", intent: "deactivate" }))).toEqual({ ok: false, message: "No category with this id.", fieldErrors: {} });
  });
});

describe("the admin's product status filter", () => {
  it("keeps the status in the URL (active, the default, left out) and asks the gateway for it", () => {
    const inactive = parseAdminProductsQuery({ q: "lamp", status: "inactive", page: "2" });
    expect(inactive.status).toBe("inactive");
    expect(adminProductsHref(inactive)).toBe("/admin/products?q=lamp&status=inactive&page=2");
    expect(adminProductsHref(inactive, { status: "any", page: 1 })).toBe("/admin/products?q=lamp&status=any");
    expect(adminProductsHref(inactive, { status: "active" })).toBe("/admin/products?q=lamp&page=2");
    expect(parseAdminProductsQuery({ status: "deleted" }).status).toBe("active");
    expect(parseAdminProductsQuery({}).status).toBe("active");
    expect(toAdminProductSearch(inactive)).toMatchObject({ q: "lamp", status: "inactive", page: 2, page_size: 25, sort: "newest" });
    const again = parseAdminProductsQuery(Object.fromEntries(new URL(adminProductsHref(inactive), "http://x").searchParams));
    expect(again).toEqual(inactive);
  });

  it("offers Active, Inactive and All, shows the one applied and applies a change at once", () => {
    const submit = vi.spyOn(HTMLFormElement.prototype, "requestSubmit").mockImplementation(() => {});
    render(<ProductFilter query={parseAdminProductsQuery({ q: "TST-1", status: "inactive", category: "lamps" })} />);
    const select = screen.getByRole("combobox", { name: "Status" }) as HTMLSelectElement;
    expect([...select.options].map((o) => [o.value, o.textContent])).toEqual([["active", "Active"], ["inactive", "Inactive"], ["any", "All"]]);
    expect(select.value).toBe("inactive");
    const filter = screen.getByTestId("admin-product-filter") as HTMLFormElement;
    expect(filter.method).toBe("get");
    expect(Object.fromEntries(new FormData(filter))).toEqual({ category: "lamps", q: "TST-1", status: "inactive" });
    fireEvent.change(select, { target: { value: "any" } });
    expect(submit).toHaveBeenCalledTimes(1);
  });
});
