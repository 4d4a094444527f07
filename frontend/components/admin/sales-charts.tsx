import { LocalTime } from "@/components/layout/local-time";
import type { Money } from "@/lib/api/types";
import type { SalesPoint, SalesReport } from "@/lib/api/reports";
import { formatMoney } from "@/lib/format";

/** A bucket's label: "14:00" for hours, "Dec 3" for days (UTC, as the report buckets them). */
export function bucketLabel(start: string, bucket: SalesReport["bucket"]): string {
  const at = new Date(start);
  return bucket === "hour"
    ? `${String(at.getUTCHours()).padStart(2, "0")}:00`
    : at.toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
}

export function moneyList(amounts: Money[]): string {
  return amounts.length === 0 ? "—" : amounts.map((m) => formatMoney(m)).join(" + ");
}

export interface Bar {
  label: string;
  value: number;
  title: string;
}

/** Plain SVG bars, one per bucket, scaled to the tallest; each bar's title says its value. */
export function BarChart({ bars, label, color = "#0f766e" }: { bars: Bar[]; label: string; color?: string }) {
  const width = 640;
  const height = 160;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const step = width / Math.max(1, bars.length);
  const every = Math.max(1, Math.ceil(bars.length / 12)); // at most a dozen axis labels
  return (
    <figure className="flex flex-col gap-1">
      <svg role="img" aria-label={label} viewBox={`-24 0 ${width + 48} ${height + 18}`} className="h-48 w-full" preserveAspectRatio="none">
        <line x1={0} x2={width} y1={height} y2={height} stroke="#cbd5e1" />
        {bars.map((bar, i) => {
          const h = (bar.value / max) * (height - 4);
          return (
            <g key={bar.label + i} data-testid="bar" data-value={bar.value}>
              <rect x={i * step + step * 0.15} y={height - h} width={step * 0.7} height={h} fill={color}>
                <title>{bar.title}</title>
              </rect>
              {i % every === 0 && (
                <text x={i * step + step / 2} y={height + 14} fontSize={10} textAnchor="middle" fill="#475569">{bar.label}</text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="text-xs text-slate-600">{label}</figcaption>
    </figure>
  );
}

/** The currencies of the report's revenue, most revenue first; each one charts on its own. */
export function currencies(series: SalesPoint[]): string[] {
  const sums = new Map<string, number>();
  for (const point of series) for (const m of point.revenue) sums.set(m.currency, (sums.get(m.currency) ?? 0) + m.amountMinor);
  return [...sums.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c]) => c);
}

export function OrdersChart({ report, count }: { report: SalesReport; count: "placed" | "confirmed" }) {
  const bars = report.series.map((p) => ({
    label: bucketLabel(p.start, report.bucket),
    value: p[count],
    title: `${bucketLabel(p.start, report.bucket)}: ${p.placed} placed, ${p.confirmed} confirmed, ${p.cancelled} cancelled`,
  }));
  return <BarChart bars={bars} label={`Orders ${count} per ${report.bucket}`} color={count === "placed" ? "#64748b" : "#0f766e"} />;
}

export function RevenueCharts({ report }: { report: SalesReport }) {
  return (
    <>
      {currencies(report.series).map((currency) => {
        const bars = report.series.map((p) => {
          const amount = p.revenue.find((m) => m.currency === currency)?.amountMinor ?? 0;
          return { label: bucketLabel(p.start, report.bucket), value: amount,
            title: `${bucketLabel(p.start, report.bucket)}: ${formatMoney({ amountMinor: amount, currency })}` };
        });
        return <BarChart key={currency} bars={bars} label={`Revenue per ${report.bucket} (${currency})`} color="#4338ca" />;
      })}
    </>
  );
}

export function ConversionSummary({ conversion }: { conversion: SalesReport["conversion"] }) {
  const rate = conversion.rate === null ? "—" : `${(conversion.rate * 100).toFixed(1)}%`;
  return (
    <dl className="grid grid-cols-2 gap-4 sm:grid-cols-4" data-testid="conversion">
      <div><dt className="text-xs text-slate-600">Placed</dt><dd className="text-xl font-semibold">{conversion.placed}</dd></div>
      <div><dt className="text-xs text-slate-600">Confirmed</dt><dd className="text-xl font-semibold">{conversion.confirmed}</dd></div>
      <div><dt className="text-xs text-slate-600">Cancelled</dt><dd className="text-xl font-semibold">{conversion.cancelled}</dd></div>
      <div><dt className="text-xs text-slate-600">Conversion</dt><dd className="text-xl font-semibold" data-testid="conversion-rate">{rate}</dd></div>
    </dl>
  );
}

export function TopProducts({ items }: { items: SalesReport["topProducts"] }) {
  return (
    <table className="w-full text-left text-sm" data-testid="top-products">
      <thead><tr className="border-b border-slate-200"><th className="py-1">SKU</th><th>Units</th><th>Orders</th></tr></thead>
      <tbody>
        {items.map((t) => (
          <tr key={t.sku} className="border-b border-slate-100"><td className="py-1 font-mono">{t.sku}</td><td>{t.units}</td><td>{t.orders}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

export function LowStock({ items }: { items: SalesReport["lowStock"]["items"] }) {
  return (
    <table className="w-full text-left text-sm" data-testid="low-stock">
      <thead><tr className="border-b border-slate-200"><th className="py-1">SKU</th><th>Available</th><th>On hand</th><th>Reserved</th></tr></thead>
      <tbody>
        {items.map((i) => (
          <tr key={i.sku} className="border-b border-slate-100">
            <td className="py-1 font-mono">{i.sku}</td><td>{i.available}</td><td>{i.onHand}</td><td>{i.reserved}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Dead letters per bucket: events the broker gave up on (one per event and subscriber). */
function DeadLettersChart({ report }: { report: SalesReport }) {
  const bars = report.series.map((p) => ({
    label: bucketLabel(p.start, report.bucket),
    value: p.deadLettered,
    title: `${bucketLabel(p.start, report.bucket)}: ${p.deadLettered} dead-lettered`,
  }));
  return <BarChart bars={bars} label={`Events dead-lettered per ${report.bucket}`} color="#b91c1c" />;
}

/** The subscriber a dead letter names: the Service in its address (`inventory-on-stock-counted`). */
function subscriberOf(dest: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\/([^./:?#]+)/i.exec(dest)?.[1] ?? dest;
}

/** The dead letters of the range: per bucket, by type, and the newest with who gave up and why. */
export function DeadLetters({ report }: { report: SalesReport }) {
  const { deadLetters } = report;
  return (
    <div className="flex flex-col gap-3">
      <div className="grid gap-6 lg:grid-cols-2">
        <DeadLettersChart report={report} />
        <table className="w-full self-start text-left text-sm" data-testid="dead-letter-types">
          <thead><tr className="border-b border-slate-200"><th className="py-1">Event type</th><th>Dead letters</th></tr></thead>
          <tbody>
            {deadLetters.byType.map((t) => (
              <tr key={t.type} className="border-b border-slate-100"><td className="py-1 font-mono break-all">{t.type}</td><td>{t.count}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm" data-testid="dead-letters">
          <caption className="text-left text-xs text-slate-600">The newest {deadLetters.limit}</caption>
          <thead>
            <tr className="border-b border-slate-200"><th className="py-1">When</th><th>Event</th><th>Subscriber</th><th>Answer</th></tr>
          </thead>
          <tbody>
            {deadLetters.newest.map((d) => (
              <tr key={`${d.source} ${d.id} ${d.dest}`} className="border-b border-slate-100 align-top">
                <td className="py-1 whitespace-nowrap"><LocalTime iso={d.at} /></td>
                <td className="break-all"><span className="font-mono">{d.type}</span>{d.subject && <> · {d.subject}</>}<br />
                  <span className="text-xs text-slate-600">{d.id}</span></td>
                <td className="font-mono text-xs break-all">{subscriberOf(d.dest)}</td>
                <td title={d.error ?? undefined}>{d.code ?? "no answer"}{d.error && <span className="block max-w-xs truncate text-xs text-slate-600">{d.error}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
