export function Availability({ inStock }: { inStock: boolean }) {
  return inStock ? (
    <span className="text-sm font-medium text-emerald-700">In stock</span>
  ) : (
    <span className="text-sm font-medium text-slate-500">Out of stock</span>
  );
}
