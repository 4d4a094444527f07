"use client";

import { useState } from "react";

/** Choose how many (1 to `max`); keyboard and screen-reader friendly. */
export function QuantityPicker({ max = 10, disabled = false }: { max?: number; disabled?: boolean }) {
  const [quantity, setQuantity] = useState(1);
  const button = "h-9 w-9 rounded border border-slate-300 text-lg disabled:opacity-40";
  return (
    <div className="flex items-center gap-2" role="group" aria-label="Quantity">
      <button type="button" className={button} aria-label="One fewer" disabled={disabled || quantity <= 1} onClick={() => setQuantity((q) => q - 1)}>−</button>
      <input
        aria-label="Quantity"
        name="quantity"
        inputMode="numeric"
        value={quantity}
        disabled={disabled}
        onChange={(e) => {
          const n = Number.parseInt(e.target.value, 10);
          setQuantity(Number.isFinite(n) ? Math.min(Math.max(n, 1), max) : 1);
        }}
        className="h-9 w-14 rounded border border-slate-300 text-center"
        data-testid="quantity"
      />
      <button type="button" className={button} aria-label="One more" disabled={disabled || quantity >= max} onClick={() => setQuantity((q) => q + 1)}>+</button>
    </div>
  );
}
