import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { catalog } from "@/lib/api";
import type { ProductSearch } from "@/lib/api/catalog";
import type { Schemas } from "@/lib/api/client";
import { fakeGateway, json, type FakeGateway } from "./fake-gateway";

const treeWire: Schemas["CategoryTree"] = { items: [], total: 0, page: 1, page_size: 0 };
const pageWire: Schemas["ProductPage"] = { items: [], total: 0, page: 1, page_size: 25, facets: { categories: [] }, sort: "newest", next_cursor: null };

let gateway: FakeGateway;
beforeEach(() => {
  gateway = fakeGateway().answer("GET", "/api/products", json(200, pageWire)).answer("GET", "/api/categories", json(200, treeWire));
});
afterEach(() => vi.unstubAllGlobals());

describe("the shop's catalog reads and the admin's", () => {
  it("the shop never sends a token or a status: its answers stay the public, cacheable ones", async () => {
    // Even a status slipped past the types is not sent.
    await catalog.searchProducts({ q: "lamp", status: "any" } as ProductSearch);
    await catalog.getCategoryTree();
    const sent = gateway.sent("GET");
    expect(sent.map((r) => r.path)).toEqual(["/api/products", "/api/categories"]);
    for (const request of sent) {
      expect(request.headers.authorization).toBeUndefined();
      expect(request.query.has("status")).toBe(false);
    }
    expect(sent[0]!.query.get("q")).toBe("lamp");
  });

  it("the admin's pages read with the admin's token, status included", async () => {
    await catalog.searchProductsAsAdmin("admin-token", { q: "lamp", status: "inactive" });
    await catalog.getCategoryTreeAsAdmin("admin-token");
    const [search, categories] = gateway.sent("GET");
    expect(search!.headers.authorization).toBe("Bearer admin-token");
    expect(search!.query.get("status")).toBe("inactive");
    expect(categories!.headers.authorization).toBe("Bearer admin-token");
  });

  it("maps a category's active flag", async () => {
    const at = "2026-12-03T10:00:00Z";
    const wire = (slug: string, active: boolean, children: Schemas["CategoryNode"][] = []): Schemas["CategoryNode"] => ({
      id: `id-${slug}`, parent_id: null, slug, name: slug, description: "", position: 0, active, product_count: 0, created_at: at, updated_at: at, children,
    });
    gateway.answer("GET", "/api/categories", json(200, { ...treeWire, items: [wire("outdoor", false, [wire("camping", true)])], total: 1, page_size: 1 }));
    const [outdoor] = await catalog.getCategoryTreeAsAdmin("admin-token");
    expect([outdoor!.active, outdoor!.children[0]!.active]).toEqual([false, true]);
  });
});
