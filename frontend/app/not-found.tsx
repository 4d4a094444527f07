import Link from "next/link";

export default function NotFound() {
  return (
    <div className="py-16 text-center">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="mt-2 text-slate-600">That page or product does not exist (or is no longer sold).</p>
      <Link href="/products" className="mt-6 inline-block underline">Browse the shop</Link>
    </div>
  );
}
