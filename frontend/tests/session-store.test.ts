import { describe, expect, it } from "vitest";
import { createSessionStore, renewalDelay } from "@/lib/stores/session-store";
import { needsRenewal, readClaims } from "@/lib/session/tokens";

const user = { name: "Ada", email: "ada@example.com", role: "customer" as const };

function jwt(claims: object): string {
  const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${b64({ alg: "RS256" })}.${b64(claims)}.sig`;
}

describe("the session store", () => {
  it("is one store per provider: two requests never share a session", () => {
    const a = createSessionStore({ user, expiresAt: 1 });
    const b = createSessionStore();
    expect(a.getState().user).toEqual(user);
    expect(b.getState().user).toBeNull();
  });

  it("follows sign-in, renewal and sign-out", () => {
    const store = createSessionStore();
    store.getState().signedIn(user, 1000);
    store.getState().renewed(2000);
    expect(store.getState()).toMatchObject({ user, expiresAt: 2000 });
    store.getState().signedOut();
    expect(store.getState()).toMatchObject({ user: null, expiresAt: null });
  });

  it("renews a minute before the access token expires", () => {
    expect(renewalDelay(10 * 60_000, 0)).toBe(9 * 60_000);
    expect(renewalDelay(30_000, 0)).toBe(5_000);
    expect(renewalDelay(null)).toBeNull();
  });
});

describe("access token claims", () => {
  it("are read for timing and links, and missing or expiring tokens need renewal", () => {
    const token = jwt({ sub: "u1", role: "admin", exp: 1000 });
    expect(readClaims(token)).toEqual({ sub: "u1", role: "admin", exp: 1000 });
    expect(readClaims("garbage")).toBeNull();
    expect(needsRenewal(token, 900)).toBe(false);
    expect(needsRenewal(token, 950)).toBe(true);
    expect(needsRenewal(undefined)).toBe(true);
  });
});
