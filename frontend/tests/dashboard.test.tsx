import { render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import AdminDashboard from "@/app/admin/dashboard/page";
import { bucketLabel, currencies } from "@/components/admin/sales-charts";
import { toSalesReport } from "@/lib/api/reports";
import type { Schemas } from "@/lib/api/client";
import { fakeGateway, json, problem } from "./fake-gateway";

vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw new Error(`redirect ${url}`);
  },
}));

afterEach(() => vi.unstubAllGlobals());

const REPORT = "/api/admin/reports/sales";
const usd = (amount_minor: number) => ({ amount_minor, currency: "USD" });

function point(start: string, extra: Partial<Schemas["SalesPoint"]> = {}): Schemas["SalesPoint"] {
  return { start, placed: 0, confirmed: 0, cancelled: 0, refunded: 0, payments_completed: 0, payments_failed: 0,
    dead_lettered: 0, revenue: [], refunds: [], ...extra };
}

function wire(extra: Partial<Schemas["SalesReport"]> = {}): Schemas["SalesReport"] {
  return {
    from: "2026-12-03T00:00:00Z", to: "2026-12-03T03:00:00Z", bucket: "hour",
    series: [
      point("2026-12-03T00:00:00Z"),
      point("2026-12-03T01:00:00Z", { placed: 3, confirmed: 2, payments_completed: 2, revenue: [usd(4500), { amount_minor: 900, currency: "EUR" }] }),
      point("2026-12-03T02:00:00Z", { placed: 1, confirmed: 1, cancelled: 1, revenue: [usd(1500)] }),
    ],
    totals: { placed: 4, confirmed: 3, cancelled: 1, refunded: 0, dead_lettered: 0, revenue: [{ amount_minor: 900, currency: "EUR" }, usd(6000)], refunds: [] },
    conversion: { placed: 4, confirmed: 3, cancelled: 1, rate: 0.75 },
    top_products: [{ sku: "SPO-CMP-0001", units: 5, orders: 2 }, { sku: "ELE-AUD-0002", units: 1, orders: 1 }],
    low_stock: { threshold: 5, limit: 50, items: [{ sku: "SPO-CMP-0001", on_hand: 3, reserved: 1, available: 2, changed_at: "2026-12-03T02:10:00Z" }] },
    rejected_events: 0,
    dead_letters: { types_limit: 10, by_type: [], limit: 10, newest: [] },
    ...extra,
  };
}

const page = async (params: Record<string, string> = {}) => render(await AdminDashboard({ searchParams: Promise.resolve(params) }));

describe("AdminDashboard", () => {
  it("asks the report per hour with the admin's token and charts orders and revenue per currency", async () => {
    const gateway = fakeGateway().answer("GET", REPORT, json(200, wire()));
    await page();
    const [sent] = gateway.sent("GET", REPORT);
    expect(sent!.query.get("bucket")).toBe("hour");
    expect(sent!.headers.authorization).toMatch(/^Bearer /);
    const placed = screen.getByRole("img", { name: "Orders placed per hour" }) as unknown as HTMLElement;
    expect(within(placed).getAllByTestId("bar").map((b) => b.getAttribute("data-value"))).toEqual(["0", "3", "1"]);
    expect(screen.getByRole("img", { name: "Orders confirmed per hour" })).toBeTruthy();
    const usdChart = screen.getByRole("img", { name: "Revenue per hour (USD)" });
    expect(within(usdChart as unknown as HTMLElement).getAllByTestId("bar").map((b) => b.getAttribute("data-value"))).toEqual(["0", "4500", "1500"]);
    expect(screen.getByRole("img", { name: "Revenue per hour (EUR)" })).toBeTruthy();
    expect(screen.getByTestId("totals").textContent).toContain("3 confirmed of 4 placed");
    expect(screen.getByTestId("totals").textContent).toContain("$60.00");
    expect(screen.getByTestId("conversion-rate").textContent).toBe("75.0%");
    expect(within(screen.getByTestId("top-products")).getAllByRole("row")).toHaveLength(3);
    expect(within(screen.getByTestId("low-stock")).getByText("SPO-CMP-0001")).toBeTruthy();
    expect(screen.getByTestId("dead-lettered").textContent).toBe("The broker dead-lettered no event in this range.");
    expect(screen.queryByRole("img", { name: "Events dead-lettered per hour" })).toBeNull();
    expect(screen.getByText(/make dead-letters/)).toBeTruthy();
  });

  it("charts the events the broker dead-lettered and lists the newest with who gave up and why", async () => {
    const dest = "http://inventory-on-stock-counted.ecom.svc.cluster.local";
    fakeGateway().answer("GET", REPORT, json(200, wire({
      series: [point("2026-12-03T00:00:00Z"), point("2026-12-03T01:00:00Z", { dead_lettered: 2 }), point("2026-12-03T02:00:00Z", { dead_lettered: 1 })],
      totals: { placed: 0, confirmed: 0, cancelled: 0, refunded: 0, dead_lettered: 3, revenue: [], refunds: [] },
      dead_letters: {
        types_limit: 10, limit: 10,
        by_type: [{ type: "com.ecom.warehouse.stock.counted", count: 2 }, { type: "com.ecom.orders.order.placed", count: 1 }],
        newest: [
          { id: "e-3", source: "/warehouse/x", type: "com.ecom.warehouse.stock.counted", subject: "ELE-AUD-0009", dest,
            code: 400, error: '{"title":"unknown warehouse"}', at: "2026-12-03T02:10:00Z" },
          { id: "e-2", source: "/ecom/orders", type: "com.ecom.orders.order.placed", subject: null, dest,
            code: null, error: null, at: "2026-12-03T01:05:00Z" },
        ],
      },
    })));
    await page();
    expect(screen.getByTestId("dead-lettered").textContent).toContain("gave up on 3 event deliveries in this range");
    const chart = screen.getByRole("img", { name: "Events dead-lettered per hour" }) as unknown as HTMLElement;
    expect(within(chart).getAllByTestId("bar").map((b) => b.getAttribute("data-value"))).toEqual(["0", "2", "1"]);
    expect(within(screen.getByTestId("dead-letter-types")).getAllByRole("row")).toHaveLength(3);
    const rows = within(screen.getByTestId("dead-letters")).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(rows[1]!.textContent).toContain("inventory-on-stock-counted");
    expect(rows[1]!.textContent).toContain("400");
    expect(rows[1]!.textContent).toContain("unknown warehouse");
    expect(rows[2]!.textContent).toContain("no answer");
  });

  it("asks per day when told, and says so when nothing was ordered or is low", async () => {
    const gateway = fakeGateway().answer("GET", REPORT, json(200, wire({
      bucket: "day", series: [point("2026-12-03T00:00:00Z")],
      totals: { placed: 0, confirmed: 0, cancelled: 0, refunded: 0, dead_lettered: 0, revenue: [], refunds: [] },
      conversion: { placed: 0, confirmed: 0, cancelled: 0, rate: null }, top_products: [],
      low_stock: { threshold: 5, limit: 50, items: [] }, rejected_events: 2,
    })));
    await page({ bucket: "day" });
    expect(gateway.sent("GET", REPORT)[0]!.query.get("bucket")).toBe("day");
    expect(screen.getByText("No orders in this range yet")).toBeTruthy();
    expect(screen.getByText("Nothing sold in this range")).toBeTruthy();
    expect(screen.getByText("Nothing is low on stock")).toBeTruthy();
    expect(screen.getByTestId("conversion-rate").textContent).toBe("—");
    expect(screen.getByTestId("rejected-events").textContent).toContain("refused 2 events");
  });

  it("shows the API's refusal as an error, and a 401 sends the admin to log in again", async () => {
    fakeGateway().answer("GET", REPORT, problem(403, "Needs role admin."));
    await page();
    expect(screen.getByRole("alert").textContent).toContain("403");
    fakeGateway().answer("GET", REPORT, problem(401, "Session ended."));
    await expect(page()).rejects.toThrow("redirect /login?next=%2Fadmin%2Fdashboard");
  });
});

describe("sales charts", () => {
  it("labels buckets in UTC and orders currencies by revenue", () => {
    expect(bucketLabel("2026-12-03T05:00:00Z", "hour")).toBe("05:00");
    expect(bucketLabel("2026-12-03T00:00:00Z", "day")).toBe("Dec 3");
    expect(currencies(toSalesReport(wire()).series)).toEqual(["USD", "EUR"]);
  });
});
