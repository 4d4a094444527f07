// The one client of the gateway: every call the storefront makes goes through these modules.
export { ApiError, GatewayUnavailableError, gatewayUrl } from "./client";
export type { FieldError } from "./client";
export * from "./types";
export * as catalog from "./catalog";
export * as accounts from "./accounts";
export * as cart from "./cart";
export * as orders from "./orders";
export * as inventory from "./inventory";
export * as payments from "./payments";
export * as reports from "./reports";
