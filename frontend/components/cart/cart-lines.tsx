import type { Cart } from "@/lib/api/types";
import { Price } from "@/components/catalog/price";
import { CartLineControls } from "./cart-line-controls";

/** The cart's lines with their controls, and the subtotal (shipping and tax come when placing). */
export function CartLines({ cart }: { cart: Cart }) {
  return (
    <div className="flex flex-col gap-4">
      <ul className="flex flex-col divide-y divide-slate-200 border-y border-slate-200" data-testid="cart-lines">
        {cart.lines.map((line) => (
          <li key={line.sku} className="flex flex-col gap-3 py-4 sm:flex-row sm:items-center sm:justify-between">
            <div className="flex flex-col">
              <span className="font-medium" data-testid="line-name">{line.name}</span>
              <span className="text-sm text-slate-500"><Price money={line.unitPrice} /> each · SKU {line.sku}</span>
            </div>
            <div className="flex items-center justify-between gap-4 sm:justify-end">
              <CartLineControls line={line} />
              <Price money={line.lineTotal} className="w-24 text-right font-semibold" />
            </div>
          </li>
        ))}
      </ul>
      <CartSubtotal cart={cart} />
    </div>
  );
}

export function CartSubtotal({ cart }: { cart: Cart }) {
  if (!cart.subtotal) return null;
  return (
    <div className="flex flex-col items-end gap-1">
      <p className="text-lg" data-testid="cart-subtotal">
        Subtotal ({cart.itemCount} {cart.itemCount === 1 ? "item" : "items"}):{" "}
        <Price money={cart.subtotal} className="font-semibold" />
      </p>
      <p className="text-sm text-slate-500">Shipping and tax are computed when you place the order.</p>
    </div>
  );
}
