import type { ReactElement } from "react";
import { GatewayDown } from "@/components/layout/gateway-down";
import { GatewayUnavailableError } from "./api";

/** Render `page`, or the "gateway down" page when the gateway cannot be reached. */
export async function orGatewayDown(page: () => Promise<ReactElement>): Promise<ReactElement> {
  try {
    return await page();
  } catch (error) {
    if (error instanceof GatewayUnavailableError) return <GatewayDown />;
    throw error;
  }
}
