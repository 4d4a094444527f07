import { createStore } from "zustand/vanilla";
import type { SessionUser } from "../session/cookies";

export interface SessionState {
  user: SessionUser | null;
  /** When the access token expires (ms since the epoch); renewal happens a minute before. */
  expiresAt: number | null;
  signedIn: (user: SessionUser, expiresAt: number | null) => void;
  renewed: (expiresAt: number | null) => void;
  signedOut: () => void;
}

export type SessionStore = ReturnType<typeof createSessionStore>;

/** One store per request (and per browser tab), seeded from the server's view of the session. */
export function createSessionStore(initial: Pick<SessionState, "user" | "expiresAt"> = { user: null, expiresAt: null }) {
  return createStore<SessionState>()((set) => ({
    ...initial,
    signedIn: (user, expiresAt) => set({ user, expiresAt }),
    renewed: (expiresAt) => set({ expiresAt }),
    signedOut: () => set({ user: null, expiresAt: null }),
  }));
}

/** How long to wait before renewing: a minute before expiry, never less than 5 s. */
export function renewalDelay(expiresAt: number | null, now = Date.now()): number | null {
  if (expiresAt === null) return null;
  return Math.max(expiresAt - now - 60_000, 5_000);
}
