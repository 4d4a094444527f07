import type { Tokens, User } from "../api/types";

/** The refresh token: httpOnly, never visible to scripts, sent only to the storefront itself. */
export const REFRESH_COOKIE = "ecom_refresh";
/** The access token, for the storefront's own server to call the gateway with. */
export const ACCESS_COOKIE = "ecom_access";
/** Who is signed in (name, email, role), so the header renders without a gateway call. */
export const USER_COOKIE = "ecom_user";

export interface SessionUser {
  name: string;
  email: string;
  role: User["role"];
}

interface CookieOptions {
  httpOnly: boolean;
  sameSite: "lax";
  secure: boolean;
  path: string;
  maxAge: number;
}

export interface CookieToSet {
  name: string;
  value: string;
  options: CookieOptions;
}

const REFRESH_MAX_AGE = 30 * 24 * 3600;

function options(maxAge: number): CookieOptions {
  // Secure only where the storefront is served over https (not on http://localhost).
  const secure = (process.env.STOREFRONT_URL ?? "").startsWith("https://");
  return { httpOnly: true, sameSite: "lax", secure, path: "/", maxAge };
}

export function encodeUser(user: SessionUser): string {
  return encodeURIComponent(JSON.stringify(user));
}

export function decodeUser(value: string | undefined): SessionUser | null {
  if (!value) return null;
  try {
    const user = JSON.parse(decodeURIComponent(value)) as Partial<SessionUser>;
    if (typeof user.name !== "string" || typeof user.email !== "string") return null;
    return { name: user.name, email: user.email, role: user.role === "admin" ? "admin" : "customer" };
  } catch {
    return null;
  }
}

/** The cookies a fresh token pair (and, after a login, the user) sets. */
export function sessionCookies(tokens: Tokens, user?: SessionUser): CookieToSet[] {
  const cookies: CookieToSet[] = [
    { name: REFRESH_COOKIE, value: tokens.refreshToken, options: options(REFRESH_MAX_AGE) },
    { name: ACCESS_COOKIE, value: tokens.accessToken, options: options(tokens.expiresIn) },
  ];
  if (user) cookies.push({ name: USER_COOKIE, value: encodeUser(user), options: options(REFRESH_MAX_AGE) });
  return cookies;
}

/** The cookies that end a session in this browser. */
export function clearedCookies(): CookieToSet[] {
  return [REFRESH_COOKIE, ACCESS_COOKIE, USER_COOKIE].map((name) => ({ name, value: "", options: options(0) }));
}
