import type { paths } from "./schema";
import { request, type Schemas } from "./client";
import { toMoney, type Money } from "./types";

export type SalesReportSearch = NonNullable<paths["/api/admin/reports/sales"]["get"]["parameters"]["query"]>;
export type Bucket = Schemas["SalesReport"]["bucket"];

export interface SalesPoint {
  start: string;
  placed: number;
  confirmed: number;
  cancelled: number;
  refunded: number;
  paymentsCompleted: number;
  paymentsFailed: number;
  deadLettered: number;
  revenue: Money[];
  refunds: Money[];
}

export interface SalesReport {
  from: string;
  to: string;
  bucket: Bucket;
  series: SalesPoint[];
  totals: { placed: number; confirmed: number; cancelled: number; refunded: number; deadLettered: number; revenue: Money[]; refunds: Money[] };
  conversion: { placed: number; confirmed: number; cancelled: number; rate: number | null };
  topProducts: { sku: string; units: number; orders: number }[];
  lowStock: { threshold: number; limit: number; items: { sku: string; onHand: number; reserved: number; available: number; changedAt: string }[] };
  rejectedEvents: number;
  deadLetters: {
    typesLimit: number;
    byType: { type: string; count: number }[];
    limit: number;
    newest: { id: string; source: string; type: string; subject: string | null; dest: string; code: number | null; error: string | null; at: string }[];
  };
}

export const toSalesReport = (r: Schemas["SalesReport"]): SalesReport => ({
  from: r.from,
  to: r.to,
  bucket: r.bucket,
  series: r.series.map((p) => ({
    start: p.start, placed: p.placed, confirmed: p.confirmed, cancelled: p.cancelled, refunded: p.refunded,
    paymentsCompleted: p.payments_completed, paymentsFailed: p.payments_failed, deadLettered: p.dead_lettered,
    revenue: p.revenue.map(toMoney), refunds: p.refunds.map(toMoney),
  })),
  totals: {
    placed: r.totals.placed, confirmed: r.totals.confirmed, cancelled: r.totals.cancelled, refunded: r.totals.refunded,
    deadLettered: r.totals.dead_lettered, revenue: r.totals.revenue.map(toMoney), refunds: r.totals.refunds.map(toMoney),
  },
  conversion: { ...r.conversion, rate: r.conversion.rate ?? null },
  topProducts: r.top_products.map((t) => ({ ...t })),
  lowStock: {
    threshold: r.low_stock.threshold, limit: r.low_stock.limit,
    items: r.low_stock.items.map((i) => ({ sku: i.sku, onHand: i.on_hand, reserved: i.reserved, available: i.available, changedAt: i.changed_at })),
  },
  rejectedEvents: r.rejected_events,
  deadLetters: {
    typesLimit: r.dead_letters.types_limit,
    byType: r.dead_letters.by_type.map((t) => ({ ...t })),
    limit: r.dead_letters.limit,
    newest: r.dead_letters.newest.map((d) => ({ ...d, subject: d.subject ?? null, code: d.code ?? null, error: d.error ?? null })),
  },
});

/** The sales report over a range, per hour or day, built from events (admin). */
export async function getSalesReport(token: string, query: SalesReportSearch = {}): Promise<SalesReport> {
  return toSalesReport(await request<Schemas["SalesReport"]>("GET", "/api/admin/reports/sales", { token, query }));
}
