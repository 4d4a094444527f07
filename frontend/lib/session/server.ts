import "server-only";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { ApiError } from "../api/client";
import { ACCESS_COOKIE, decodeUser, USER_COOKIE, type SessionUser } from "./cookies";
import { readClaims } from "./tokens";

export interface Session {
  user: SessionUser;
  accessToken: string | null;
  expiresAt: number | null; // ms since the epoch
}

/** The signed-in user as this request's cookies say (the proxy has renewed the token by now). */
export async function getSession(): Promise<Session | null> {
  const jar = await cookies();
  const user = decodeUser(jar.get(USER_COOKIE)?.value);
  if (!user) return null;
  const accessToken = jar.get(ACCESS_COOKIE)?.value ?? null;
  const claims = readClaims(accessToken);
  return { user, accessToken, expiresAt: claims ? claims.exp * 1000 : null };
}

/** The access token of this request, or a redirect to the login page that comes back to `next`. */
export async function requireAccessToken(next: string): Promise<string> {
  const token = (await cookies()).get(ACCESS_COOKIE)?.value;
  if (!token || !readClaims(token)) redirect(`/login?next=${encodeURIComponent(next)}`);
  return token;
}

/** Await a read made with the session's token; a 401 (the session ended) goes to log in and back to `next`. */
export async function signInAgainOn401<T>(next: string, read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) redirect(`/login?next=${encodeURIComponent(next)}`);
    throw error;
  }
}
