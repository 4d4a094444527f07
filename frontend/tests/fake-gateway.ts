import { vi } from "vitest";

/**
 * The one thing the payment tests fake: the gateway at the other end of the HTTP client. The
 * components, stores, server actions and `lib/api` modules run as they are; `fetch` answers from
 * the scripted answers below and records every request, so a test can read the Idempotency-Key
 * and body each call really sent. (The framework's request scope, cookies and cache, which exist
 * only inside a running Next server, get the stand-ins at the end of this file.)
 */
export interface SentRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
}

/** An answer: a Response, a function of the request, or "network" for a connection that drops. */
export type Answer = Response | "network" | ((request: SentRequest) => Response | Promise<Response>);

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

export const problem = (status: number, detail: string, extra: Record<string, unknown> = {}) =>
  new Response(JSON.stringify({ type: "about:blank", title: "Problem", status, detail, instance: "/", ...extra }), {
    status,
    headers: { "Content-Type": "application/problem+json" },
  });

export const noContent = () => new Response(null, { status: 204 });

export interface FakeGateway {
  /** Script the answers to `METHOD /path` (the path without the query): each call takes the next, the last repeats. */
  answer(method: string, path: string | RegExp, ...answers: Answer[]): FakeGateway;
  /** Every request sent so far, oldest first (optionally only those to `METHOD path`). */
  sent(method?: string, path?: string | RegExp): SentRequest[];
}

/** Replace `fetch` with the fake gateway until the test ends (vi.unstubAllGlobals). */
export function fakeGateway(): FakeGateway {
  const routes: { method: string; path: string | RegExp; answers: Answer[] }[] = [];
  const log: SentRequest[] = [];
  const matches = (path: string | RegExp, actual: string) => (typeof path === "string" ? path === actual : path.test(actual));

  vi.stubGlobal("fetch", async (input: string | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const sent: SentRequest = {
      method: init.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers,
      body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
    };
    log.push(sent);
    const route = routes.find((r) => r.method === sent.method && matches(r.path, sent.path));
    if (!route) return problem(404, `No route for ${sent.method} ${sent.path} in this test.`);
    const next = route.answers.length > 1 ? route.answers.shift()! : route.answers[0]!;
    if (next === "network") throw new TypeError("fetch failed");
    return typeof next === "function" ? next(sent) : next.clone();
  });

  const gateway: FakeGateway = {
    answer(method, path, ...answers) {
      routes.unshift({ method, path, answers });
      return gateway;
    },
    sent(method, path) {
      return log.filter((r) => (!method || r.method === method) && (!path || matches(path, r.path)));
    },
  };
  return gateway;
}

const base64url = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

/** An access token as the storefront's cookies hold it (its claims are read, never verified, here). */
export const ACCESS_TOKEN = `${base64url({ alg: "none" })}.${base64url({ sub: "u-1", role: "customer", exp: 4_102_444_800 })}.signature`;

/** `next/headers` as a signed-in request sees it: the access cookie. */
export const nextHeaders = {
  cookies: async () => ({ get: (name: string) => (name === "ecom_access" ? { name, value: ACCESS_TOKEN } : undefined) }),
};

/** `next/cache`: revalidating a path is the running server's business. */
export const nextCache = { revalidatePath: () => {} };
