import { describe, expect, it } from "vitest";
import { badgeText, createCartStore } from "@/lib/stores/cart-store";

describe("the cart store", () => {
  it("is one store per provider, unknown until the API has been asked", () => {
    expect(createCartStore().getState().itemCount).toBeNull();
    expect(createCartStore(3).getState().itemCount).toBe(3);
  });

  it("follows the API's counts; an answer without one keeps the last", () => {
    const store = createCartStore();
    store.getState().counted(2);
    store.getState().counted(null); // a failed change: the cart did not change
    expect(store.getState().itemCount).toBe(2);
    store.getState().emptied(); // the order was placed
    expect(store.getState().itemCount).toBe(0);
    store.getState().forgotten(); // signed out
    expect(store.getState().itemCount).toBeNull();
  });
});

describe("the cart badge", () => {
  it("shows nothing for an unknown or empty cart and caps at 99+", () => {
    expect(badgeText(null)).toBeNull();
    expect(badgeText(0)).toBeNull();
    expect(badgeText(7)).toBe("7");
    expect(badgeText(120)).toBe("99+");
  });
});
