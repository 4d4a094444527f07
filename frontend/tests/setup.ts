import { cleanup } from "@testing-library/react";
import { afterEach, vi } from "vitest";

afterEach(() => cleanup());

// What exists only inside a running Next server: the server-only marker, the request's cookies
// (a signed-in shopper's access token) and the cache. With these, a test can drive a server
// action as it is, against the fake gateway (tests/fake-gateway.ts) that stands in for fetch.
vi.mock("server-only", () => ({}));
vi.mock("next/headers", async () => (await import("./fake-gateway")).nextHeaders);
vi.mock("next/cache", async () => (await import("./fake-gateway")).nextCache);
