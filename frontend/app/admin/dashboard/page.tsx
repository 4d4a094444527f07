import type { Metadata } from "next";
import Link from "next/link";
import {
  ConversionSummary, DeadLetters, LowStock, moneyList, OrdersChart, RevenueCharts, TopProducts,
} from "@/components/admin/sales-charts";
import { EmptyState } from "@/components/layout/empty-state";
import { ApiError, reports } from "@/lib/api";
import type { Bucket } from "@/lib/api/reports";
import { requireAccessToken, signInAgainOn401 } from "@/lib/session/server";

export const metadata: Metadata = { title: "Admin · Dashboard" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** The sales dashboard: the reporting projection's report, per hour (the last day) or day (30 days). */
export default async function AdminDashboard({ searchParams }: Props) {
  const raw = (await searchParams).bucket;
  const bucket: Bucket = raw === "day" ? "day" : "hour";
  const here = `/admin/dashboard${bucket === "day" ? "?bucket=day" : ""}`;
  const token = await requireAccessToken(here);
  let report: reports.SalesReport;
  try {
    report = await signInAgainOn401(here, reports.getSalesReport(token, { bucket, low_stock: 5 }));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error; // the gateway down: the error page says so
    return (
      <div className="flex flex-col gap-4">
        <h1 className="text-2xl font-semibold">Dashboard</h1>
        <p role="alert" className="rounded border border-red-200 bg-red-50 p-4 text-sm text-red-800">
          The sales report could not be read ({error.status}): {error.message}
        </p>
      </div>
    );
  }
  const nothing = report.totals.placed === 0 && report.totals.confirmed === 0;
  return (
    <div className="flex flex-col gap-8">
      <div className="flex flex-col gap-2">
        <h1 className="text-2xl font-semibold">Dashboard</h1>
        <nav aria-label="Buckets" className="flex gap-4 text-sm">
          <Link href="/admin/dashboard" aria-current={bucket === "hour" ? "page" : undefined}
                className={bucket === "hour" ? "font-semibold" : "hover:underline"}>Last 24 hours</Link>
          <Link href="/admin/dashboard?bucket=day" aria-current={bucket === "day" ? "page" : undefined}
                className={bucket === "day" ? "font-semibold" : "hover:underline"}>Last 30 days</Link>
        </nav>
        <p className="text-xs text-slate-600">
          Built from the shop&apos;s events (UTC buckets): it trails them by the moment they take to arrive.
        </p>
      </div>
      <section aria-labelledby="sales-heading" className="flex flex-col gap-3">
        <h2 id="sales-heading" className="font-semibold">Orders and revenue</h2>
        <p className="text-sm" data-testid="totals">
          {report.totals.confirmed} confirmed of {report.totals.placed} placed · revenue {moneyList(report.totals.revenue)}
          {report.totals.refunded > 0 && <> · {report.totals.refunded} refunded ({moneyList(report.totals.refunds)})</>}
        </p>
        {nothing ? (
          <EmptyState title="No orders in this range yet">Orders appear here once shoppers place them.</EmptyState>
        ) : (
          <div className="grid gap-6 lg:grid-cols-2">
            <OrdersChart report={report} count="placed" />
            <OrdersChart report={report} count="confirmed" />
            <RevenueCharts report={report} />
          </div>
        )}
      </section>
      <section aria-labelledby="conversion-heading" className="flex flex-col gap-3">
        <h2 id="conversion-heading" className="font-semibold">Conversion (placed → confirmed)</h2>
        <ConversionSummary conversion={report.conversion} />
      </section>
      <div className="grid gap-8 lg:grid-cols-2">
        <section aria-labelledby="top-heading" className="flex flex-col gap-3">
          <h2 id="top-heading" className="font-semibold">Top products (units confirmed)</h2>
          {report.topProducts.length === 0 ? <EmptyState title="Nothing sold in this range" /> : <TopProducts items={report.topProducts} />}
        </section>
        <section aria-labelledby="low-heading" className="flex flex-col gap-3">
          <h2 id="low-heading" className="font-semibold">Low stock (at most {report.lowStock.threshold} available)</h2>
          {report.lowStock.items.length === 0 ? (
            <EmptyState title="Nothing is low on stock" />
          ) : (
            <LowStock items={report.lowStock.items} />
          )}
          <Link href="/admin/stock?low=1" className="text-sm underline">Stock levels by warehouse</Link>
        </section>
      </div>
      <section aria-labelledby="events-heading" className="flex flex-col gap-3 text-sm">
        <h2 id="events-heading" className="font-semibold">Events</h2>
        <p data-testid="rejected-events">
          {report.rejectedEvents === 0 ? "The report refused no event." : `The report refused ${report.rejectedEvents} event${report.rejectedEvents === 1 ? "" : "s"} that broke their contract.`}
        </p>
        <p data-testid="dead-lettered">
          {report.totals.deadLettered === 0
            ? "The broker dead-lettered no event in this range."
            : `The broker gave up on ${report.totals.deadLettered} event deliver${report.totals.deadLettered === 1 ? "y" : "ies"} in this range (dead-lettered).`}
        </p>
        {report.totals.deadLettered > 0 && (
          <DeadLetters report={report} />
        )}
        <p className="text-slate-600">
          The dead-letter sink keeps each one whole: <code>make dead-letters</code> lists them and{" "}
          <code>make replay-dead-letters</code> sends them again once their subscriber is fixed.
        </p>
      </section>
    </div>
  );
}
