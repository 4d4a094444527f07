"use client";

import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { useStore } from "zustand";
import type { SessionUser } from "@/lib/session/cookies";
import { createSessionStore, renewalDelay, type SessionState, type SessionStore } from "@/lib/stores/session-store";

const SessionContext = createContext<SessionStore | null>(null);

interface Props {
  user: SessionUser | null;
  expiresAt: number | null;
  children: ReactNode;
}

/** Holds the session store (made once per request) and renews the access token before it expires. */
export function SessionProvider({ user, expiresAt, children }: Props) {
  const [store] = useState(() => createSessionStore({ user, expiresAt }));
  const currentExpiry = useStore(store, (s) => s.expiresAt);
  const signedIn = useStore(store, (s) => s.user !== null);

  useEffect(() => {
    const delay = signedIn ? renewalDelay(currentExpiry) : null;
    if (delay === null) return;
    const timer = window.setTimeout(async () => {
      try {
        const response = await fetch("/api/session/refresh", { method: "POST" });
        const body = (await response.json()) as { expiresAt: number | null };
        if (response.ok) store.getState().renewed(body.expiresAt);
        else if (response.status === 401) store.getState().signedOut();
      } catch {
        // Offline for now: the proxy renews the token on the next page load.
      }
    }, delay);
    return () => window.clearTimeout(timer);
  }, [store, currentExpiry, signedIn]);

  return <SessionContext.Provider value={store}>{children}</SessionContext.Provider>;
}

/** Read the session store from a client component. */
export function useSession<T>(selector: (state: SessionState) => T): T {
  const store = useContext(SessionContext);
  if (!store) throw new Error("useSession needs a <SessionProvider> above it");
  return useStore(store, selector);
}
