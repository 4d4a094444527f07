import { createStore } from "zustand/vanilla";

export interface CartState {
  /** Units in the cart as the API last said; null until it has been asked (or when signed out). */
  itemCount: number | null;
  counted: (itemCount: number | null) => void;
  emptied: () => void;
  forgotten: () => void;
}

export type CartStore = ReturnType<typeof createCartStore>;

/** One store per request (and per browser tab): what the header's cart badge shows. */
export function createCartStore(itemCount: number | null = null) {
  return createStore<CartState>()((set) => ({
    itemCount,
    counted: (count) => set((state) => ({ itemCount: count ?? state.itemCount })),
    emptied: () => set({ itemCount: 0 }),
    forgotten: () => set({ itemCount: null }),
  }));
}

/** What the badge reads: nothing until the count is known, then the units (99+ beyond that). */
export function badgeText(itemCount: number | null): string | null {
  if (itemCount === null || itemCount === 0) return null;
  return itemCount > 99 ? "99+" : String(itemCount);
}
