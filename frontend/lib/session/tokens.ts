import type { Role } from "../api/types";

export interface AccessClaims {
  sub: string;
  role: Role;
  exp: number; // seconds since the epoch
}

/**
 * Read an access JWT's claims WITHOUT checking its signature: enough to know when to renew it
 * and which links to show. Every decision that matters is the gateway's and the functions',
 * which verify the token on each call.
 */
export function readClaims(token: string | undefined | null): AccessClaims | null {
  const payload = token?.split(".")[1];
  if (!payload) return null;
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as Partial<AccessClaims>;
    if (typeof json.sub !== "string" || typeof json.exp !== "number") return null;
    return { sub: json.sub, role: json.role === "admin" ? "admin" : "customer", exp: json.exp };
  } catch {
    return null;
  }
}

/** Renew this long before the access token expires. */
export const RENEW_MARGIN_SECONDS = 60;

/** Whether an access token is missing, unreadable or about to expire at `nowSeconds`. */
export function needsRenewal(token: string | undefined | null, nowSeconds = Date.now() / 1000): boolean {
  const claims = readClaims(token);
  return !claims || claims.exp - nowSeconds < RENEW_MARGIN_SECONDS;
}
