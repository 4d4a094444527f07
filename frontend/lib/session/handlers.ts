import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { accounts, ApiError, GatewayUnavailableError, type Tokens } from "../api";
import { clearedCookies, REFRESH_COOKIE, sessionCookies, type CookieToSet, type SessionUser } from "./cookies";
import { readClaims } from "./tokens";

/** What the session handlers answer a script with (never a token). */
export interface SessionAnswer {
  user: SessionUser | null;
  expiresAt: number | null;
  error?: string;
  fieldErrors?: { field: string; message: string }[];
}

const isForm = (request: NextRequest) =>
  (request.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded");

/** Read the body as JSON (scripts) or as a form (no JavaScript): the same fields either way. */
export async function readFields(request: NextRequest): Promise<Record<string, string>> {
  if (isForm(request)) {
    const form = await request.formData();
    return Object.fromEntries([...form.entries()].map(([k, v]) => [k, String(v)]));
  }
  try {
    const body = (await request.json()) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v ?? "")]));
  } catch {
    return {};
  }
}

/** Only paths on this site: never send someone elsewhere after a login. */
export function safeNext(next: string | undefined): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/account";
}

function answer(request: NextRequest, body: SessionAnswer, status: number, cookies: CookieToSet[], next?: string) {
  let response: NextResponse;
  if (isForm(request)) {
    // A plain form post: go on (303) or back to the form with the message.
    const back = new URL(request.headers.get("referer") ?? "/login", request.url);
    if (body.error) back.searchParams.set("error", body.error);
    response = NextResponse.redirect(body.error ? back : new URL(next ?? "/account", request.url), 303);
  } else {
    response = NextResponse.json(body, { status });
  }
  for (const c of cookies) response.cookies.set(c.name, c.value, c.options);
  response.headers.set("Cache-Control", "no-store");
  return response;
}

/** Turn a failure into the answer a person can act on. */
export function failure(request: NextRequest, error: unknown): NextResponse {
  if (error instanceof GatewayUnavailableError) {
    return answer(request, { user: null, expiresAt: null, error: "The shop's server cannot be reached. Try again in a moment." }, 503, []);
  }
  if (error instanceof ApiError) {
    return answer(request, { user: null, expiresAt: null, error: error.detail, fieldErrors: error.fieldErrors }, error.status, []);
  }
  throw error;
}

/** Log in with email and password; set the session's cookies. */
export async function logInAnswer(request: NextRequest, email: string, password: string, next?: string) {
  const tokens: Tokens = await accounts.logIn({ email, password });
  const me = await accounts.getMe(tokens.accessToken);
  const user: SessionUser = { name: me.name, email: me.email, role: me.role };
  const expiresAt = (readClaims(tokens.accessToken)?.exp ?? 0) * 1000;
  return answer(request, { user, expiresAt }, 200, sessionCookies(tokens, user), safeNext(next));
}

/** Renew the pair from the refresh cookie (the client calls this before the access token expires). */
export async function refreshAnswer(request: NextRequest) {
  const refresh = request.cookies.get(REFRESH_COOKIE)?.value;
  if (!refresh) return answer(request, { user: null, expiresAt: null, error: "Not signed in." }, 401, clearedCookies());
  try {
    const tokens = await accounts.refreshSession(refresh);
    const expiresAt = (readClaims(tokens.accessToken)?.exp ?? 0) * 1000;
    return answer(request, { user: null, expiresAt }, 200, sessionCookies(tokens));
  } catch (error) {
    if (error instanceof ApiError) {
      return answer(request, { user: null, expiresAt: null, error: "Your session has ended." }, 401, clearedCookies());
    }
    return failure(request, error);
  }
}

/** End the session at the gateway and in this browser. */
export async function logOutAnswer(request: NextRequest) {
  const refresh = request.cookies.get(REFRESH_COOKIE)?.value;
  if (refresh) {
    try {
      await accounts.logOut(refresh);
    } catch {
      // The cookies go regardless: this browser is signed out even if the gateway is down.
    }
  }
  return answer(request, { user: null, expiresAt: null }, 200, clearedCookies(), "/");
}
