"use client";

import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { useStore } from "zustand";
import { readCartCount } from "@/lib/actions/cart";
import { createCartStore, type CartState, type CartStore } from "@/lib/stores/cart-store";
import { useSession } from "@/components/session/session-provider";

const CartContext = createContext<CartStore | null>(null);

/** Holds the cart store and asks the API for the count whenever someone signs in (or the page loads). */
export function CartProvider({ children }: { children: ReactNode }) {
  const [store] = useState(() => createCartStore());
  const email = useSession((s) => s.user?.email ?? null);

  useEffect(() => {
    if (email === null) {
      store.getState().forgotten();
      return;
    }
    let current = true;
    readCartCount()
      .then((count) => current && store.getState().counted(count))
      .catch(() => {}); // offline: the badge waits for the next change
    return () => {
      current = false;
    };
  }, [store, email]);

  return <CartContext.Provider value={store}>{children}</CartContext.Provider>;
}

/** Read the cart store from a client component. */
export function useCart<T>(selector: (state: CartState) => T): T {
  const store = useContext(CartContext);
  if (!store) throw new Error("useCart needs a <CartProvider> above it");
  return useStore(store, selector);
}
