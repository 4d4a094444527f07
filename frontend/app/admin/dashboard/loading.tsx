export default function Loading() {
  return <p role="status" className="py-16 text-center text-slate-600">Loading the sales report…</p>;
}
