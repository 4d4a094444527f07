import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { CategoryTree } from "@/components/catalog/category-tree";
import { pageWindow, Pagination } from "@/components/catalog/pagination";
import { ProductCard } from "@/components/catalog/product-card";
import type { CategoryNode, Product } from "@/lib/api/types";
import { parseListingQuery } from "@/lib/listing-query";

const product: Product = {
  id: "p1", sku: "SKU-1", slug: "dome-tent", name: "Dome tent", description: "", active: true, attributes: {},
  price: { amountMinor: 12999, currency: "USD" }, category: null, inStock: false,
  images: [{ url: "/media/catalog/tent-1.svg", alt: "A green dome tent" }],
};

const node = (slug: string, children: CategoryNode[] = []): CategoryNode => ({
  id: slug, slug, name: slug.toUpperCase(), parentId: null, description: "", position: 0, active: true, productCount: 9, children,
});

describe("ProductCard", () => {
  it("shows the price from minor units, availability, and a sized image with alt text", () => {
    render(<ul><ProductCard product={product} /></ul>);
    expect(screen.getByText("$129.99")).toBeTruthy();
    expect(screen.getByText("Out of stock")).toBeTruthy();
    const image = screen.getByAltText("A green dome tent");
    expect(image.getAttribute("width")).toBe("400");
    expect(image.getAttribute("height")).toBe("400");
    expect(screen.getByRole("link").getAttribute("href")).toBe("/products/dome-tent");
  });
});

describe("CategoryTree", () => {
  it("nests categories with the search's facet counts and keeps the rest of the URL", () => {
    const query = parseListingQuery({ q: "tent", category: "camping" });
    render(<CategoryTree tree={[node("outdoors", [node("camping")])]} facets={[{ id: "camping", slug: "camping", name: "C", parentId: "outdoors", count: 3 }]} query={query} />);
    const camping = screen.getByTestId("category-camping");
    expect(camping.getAttribute("aria-current")).toBe("page");
    expect(within(camping).getByText("3")).toBeTruthy();
    expect(within(screen.getByTestId("category-outdoors")).getByText("0")).toBeTruthy();
    expect(screen.getByTestId("category-outdoors").getAttribute("href")).toBe("/products?q=tent&category=outdoors");
  });
});

describe("Pagination", () => {
  it("shows the first, last and neighbouring pages", () => {
    expect(pageWindow(5, 10)).toEqual([1, "gap", 3, 4, 5, 6, 7, "gap", 10]);
    expect(pageWindow(1, 2)).toEqual([1, 2]);
  });

  it("links pages with the query kept, and marks the current one", () => {
    render(<Pagination query={parseListingQuery({ q: "tent", page: "2" })} total={40} pageSize={12} />);
    expect(screen.getByLabelText("Page 2").getAttribute("aria-current")).toBe("page");
    expect(screen.getByText("Next").getAttribute("href")).toBe("/products?q=tent&page=3");
    expect(screen.getByText("Previous").getAttribute("href")).toBe("/products?q=tent");
  });
});
