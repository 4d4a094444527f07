import { describe, expect, it } from "vitest";
import { listingHref, parseListingQuery, toProductSearch } from "@/lib/listing-query";

describe("the listing URL", () => {
  it("round-trips every piece of state", () => {
    const query = parseListingQuery({ q: "tent", category: "camping", min_price: "50", max_price: "300", in_stock: "1", sort: "-price", page: "2" });
    expect(listingHref(query)).toBe("/products?q=tent&category=camping&min_price=50&max_price=300&in_stock=1&sort=-price&page=2");
    const again = parseListingQuery(Object.fromEntries(new URL(listingHref(query), "http://x").searchParams));
    expect(again).toEqual(query);
  });

  it("ignores what makes no sense", () => {
    expect(parseListingQuery({ sort: "cheapest", page: "-4", min_price: "lots" })).toMatchObject({ sort: "", page: 1, minPrice: "" });
    expect(listingHref(parseListingQuery({}))).toBe("/products");
  });

  it("asks the gateway in minor units, with the bounds in order", () => {
    const search = toProductSearch(parseListingQuery({ min_price: "300", max_price: "50", in_stock: "true" }));
    expect(search).toMatchObject({ min_price: 5000, max_price: 30000, in_stock: true, page: 1 });
  });

  it("goes back to page 1 when a filter changes", () => {
    const query = parseListingQuery({ q: "tent", page: "3" });
    expect(listingHref(query, { category: "camping", page: 1 })).toBe("/products?q=tent&category=camping");
  });
});
