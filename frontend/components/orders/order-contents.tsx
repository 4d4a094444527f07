import type { Order } from "@/lib/api/types";
import { Price } from "@/components/catalog/price";

/** The order's lines, shipping address and totals, as priced when it was placed. */
export function OrderContents({ order }: { order: Order }) {
  const a = order.shippingAddress;
  return (
    <div className="grid gap-6 md:grid-cols-3">
      <section aria-labelledby="lines-heading" className="md:col-span-2">
        <h2 id="lines-heading" className="mb-2 font-semibold">Items</h2>
        <ul className="flex flex-col divide-y divide-slate-200 border-y border-slate-200 text-sm" data-testid="order-lines">
          {order.lines.map((line) => (
            <li key={line.sku} className="flex justify-between gap-4 py-2">
              <span>{line.quantity} × {line.name} <span className="text-slate-500">(<Price money={line.unitPrice} /> each)</span></span>
              <Price money={line.lineTotal} />
            </li>
          ))}
        </ul>
        <dl className="mt-3 ml-auto grid max-w-xs grid-cols-2 gap-1 text-sm" data-testid="order-totals">
          <dt>Subtotal</dt><dd className="text-right"><Price money={order.subtotal} /></dd>
          <dt>Shipping</dt><dd className="text-right"><Price money={order.shipping} /></dd>
          <dt>Tax</dt><dd className="text-right"><Price money={order.tax} /></dd>
          <dt className="font-semibold">Total</dt><dd className="text-right font-semibold"><Price money={order.total} /></dd>
        </dl>
      </section>
      <section aria-labelledby="ship-to-heading">
        <h2 id="ship-to-heading" className="mb-2 font-semibold">Ship to</h2>
        <address className="text-sm not-italic" data-testid="order-address">
          {a.name}<br />{a.line1}{a.line2 && <>, {a.line2}</>}<br />{a.postalCode} {a.city}{a.region && `, ${a.region}`}, {a.country}
          {a.phone && <><br />{a.phone}</>}
        </address>
      </section>
    </div>
  );
}
