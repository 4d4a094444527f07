/** Shown while a listing or product page is on its way. */
export default function Loading() {
  return (
    <div aria-busy="true" aria-live="polite" className="grid grid-cols-2 gap-4 md:grid-cols-3 lg:grid-cols-4">
      <span className="sr-only">Loading products…</span>
      {Array.from({ length: 8 }, (_, i) => (
        <div key={i} className="flex animate-pulse flex-col gap-2">
          <div className="aspect-square rounded bg-slate-100" />
          <div className="h-4 w-3/4 rounded bg-slate-100" />
        </div>
      ))}
    </div>
  );
}
