/** Under this many units, the product page says "Only N left". */
export const FEW_LEFT = 5;

/**
 * Availability: from inventory's count when the page has it (`available`), else the catalog's
 * last word (`inStock`, the listing's cards). `available` null: inventory did not answer.
 */
export function Availability({ inStock, available }: { inStock?: boolean; available?: number | null }) {
  if (available === null) {
    return <span className="text-sm text-slate-500" data-testid="availability" data-state="unknown">Availability could not be checked just now.</span>;
  }
  const units = available ?? (inStock ? Infinity : 0);
  if (units <= 0) return <span className="text-sm font-medium text-slate-500" data-testid="availability" data-state="out">Out of stock</span>;
  if (units < FEW_LEFT) {
    return <span className="text-sm font-medium text-amber-800" data-testid="availability" data-state="few">Only {units} left</span>;
  }
  return <span className="text-sm font-medium text-emerald-700" data-testid="availability" data-state="in">In stock</span>;
}
