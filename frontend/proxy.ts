import { NextResponse, type NextRequest } from "next/server";
import { ApiError, GatewayUnavailableError } from "@/lib/api/client";
import { refreshSession } from "@/lib/api/accounts";
import { ACCESS_COOKIE, clearedCookies, REFRESH_COOKIE, sessionCookies, type CookieToSet } from "@/lib/session/cookies";
import { needsRenewal, readClaims } from "@/lib/session/tokens";

/**
 * Before a page renders: renew the access token when it is missing or about to expire (the
 * refresh token is spent and replaced), and keep /admin to admins. The renewed cookies go both
 * to the browser and to this request, so the page renders with the fresh token.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const refresh = request.cookies.get(REFRESH_COOKIE)?.value;
  let access = request.cookies.get(ACCESS_COOKIE)?.value;
  let toSet: CookieToSet[] = [];
  if (refresh && needsRenewal(access)) {
    try {
      const tokens = await refreshSession(refresh);
      toSet = sessionCookies(tokens);
      access = tokens.accessToken;
    } catch (error) {
      if (error instanceof ApiError) {
        toSet = clearedCookies(); // the session is over (expired, revoked, reused)
        access = undefined;
      } else if (!(error instanceof GatewayUnavailableError)) {
        throw error;
      }
    }
  }
  const { pathname, search } = request.nextUrl;
  let response: NextResponse;
  if (pathname.startsWith("/admin") && readClaims(access)?.role !== "admin") {
    const login = new URL("/login", request.url);
    login.searchParams.set("next", pathname + search);
    response = NextResponse.redirect(login, 303);
  } else {
    for (const cookie of toSet) request.cookies.set(cookie.name, cookie.value);
    response = NextResponse.next({ request: { headers: request.headers } });
  }
  for (const cookie of toSet) response.cookies.set(cookie.name, cookie.value, cookie.options);
  return response;
}

export const config = {
  // Pages only: not the session's own handlers, the media proxy, or static files.
  matcher: ["/((?!api/|media/|_next/|favicon.ico|robots.txt).*)"],
};
