"use client";

import { useActionState, useEffect } from "react";
import { changeCartLine } from "@/lib/actions/cart";
import { initialCartResult } from "@/lib/actions/result";
import type { CartLine } from "@/lib/api/types";
import { useCart } from "./cart-provider";

/** A cart line's quantity (1 to 99) with Update, and Remove; the badge follows the answer. */
export function CartLineControls({ line }: { line: CartLine }) {
  const [result, formAction, pending] = useActionState(changeCartLine, initialCartResult);
  const counted = useCart((s) => s.counted);
  useEffect(() => counted(result.itemCount), [result, counted]);
  const button = "rounded border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100 disabled:opacity-60";
  return (
    <form action={formAction} className="flex flex-col gap-1" aria-busy={pending} data-testid={`cart-line-${line.sku}`}>
      <input type="hidden" name="sku" value={line.sku} />
      <div className="flex flex-wrap items-center gap-2">
        <label className="flex items-center gap-2 text-sm">
          <span className="sr-only">Quantity of {line.name}</span>
          <input
            type="number"
            name="quantity"
            min={1}
            max={99}
            required
            defaultValue={line.quantity}
            key={line.quantity}
            className="h-9 w-16 rounded border border-slate-300 text-center"
            data-testid="line-quantity"
          />
        </label>
        <button type="submit" name="intent" value="update" disabled={pending} className={button}>Update</button>
        <button type="submit" name="intent" value="remove" disabled={pending} className={`${button} text-red-700`}>
          Remove<span className="sr-only"> {line.name}</span>
        </button>
      </div>
      {pending && <p className="text-xs text-slate-500" role="status">Updating…</p>}
      {!pending && result.message && !result.ok && <p role="alert" className="text-sm text-red-700">{result.message}</p>}
    </form>
  );
}
