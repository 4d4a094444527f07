import type { components } from "./schema";

/** The gateway's own shapes, straight from the generated OpenAPI types. */
export type Schemas = components["schemas"];

/** The gateway's base URL: env GATEWAY_URL (read at run time, on the server only). */
export function gatewayUrl(): string {
  return (process.env.GATEWAY_URL ?? "http://localhost:8080").replace(/\/+$/, "");
}

export interface FieldError {
  field: string;
  message: string;
}

/** An answer of the gateway that is an RFC 9457 problem (or any other 4xx/5xx). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly detail: string,
    readonly fieldErrors: FieldError[] = [],
    /** The problem's extension members (e.g. a decline's `code` and `payment_id`). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(`${status} ${title}: ${detail}`);
    this.name = "ApiError";
  }
}

/** The gateway could not be reached, or answered that the function behind it is down. */
export class GatewayUnavailableError extends Error {
  constructor(readonly cause?: unknown) {
    super("The shop's server cannot be reached right now.");
    this.name = "GatewayUnavailableError";
  }
}

type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  token?: string | null;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

function withQuery(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Send one request to the gateway; return the parsed JSON body (undefined for 204). */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(gatewayUrl() + withQuery(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      cache: "no-store",
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (error) {
    throw new GatewayUnavailableError(error);
  }
  if (response.status === 502 || response.status === 503 || response.status === 504) {
    throw new GatewayUnavailableError(`status ${response.status}`);
  }
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

const PROBLEM_MEMBERS = new Set(["type", "title", "status", "detail", "instance", "errors", "message"]);

async function problemOf(response: Response): Promise<ApiError> {
  let body: Partial<Schemas["Problem"]> & { message?: string } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not JSON (a proxy's page): keep the status alone.
  }
  if (typeof body !== "object" || body === null) body = {};
  const extensions = Object.fromEntries(Object.entries(body).filter(([name]) => !PROBLEM_MEMBERS.has(name)));
  return new ApiError(
    response.status,
    body.type ?? "about:blank",
    body.title ?? response.statusText,
    body.detail ?? body.message ?? response.statusText,
    body.errors ?? [],
    extensions,
  );
}
