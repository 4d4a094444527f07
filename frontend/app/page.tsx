import Link from "next/link";
import { ProductGrid } from "@/components/catalog/product-card";
import { EmptyState } from "@/components/layout/empty-state";
import { catalog } from "@/lib/api";
import { orGatewayDown } from "@/lib/gateway-guard";

export default function HomePage() {
  return orGatewayDown(async () => {
    const [featured, tree] = await Promise.all([
      catalog.searchProducts({ in_stock: true, sort: "newest", page_size: 8 }),
      catalog.getCategoryTree(),
    ]);
    return (
      <div className="flex flex-col gap-10">
        <section>
          <h1 className="text-3xl font-bold tracking-tight">Everything for home, work and the outdoors</h1>
          <p className="mt-2 text-slate-600">Browse {featured.total} products in stock, across {tree.length} departments.</p>
        </section>
        <section aria-labelledby="categories-heading">
          <h2 id="categories-heading" className="mb-3 text-xl font-semibold">Shop by category</h2>
          <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-4">
            {tree.map((c) => (
              <li key={c.id}>
                <Link href={`/products?category=${c.slug}`} className="block rounded border border-slate-200 p-4 hover:border-slate-900">
                  <span className="font-medium">{c.name}</span>
                  <span className="block text-sm text-slate-500">{c.productCount} products</span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="featured-heading">
          <h2 id="featured-heading" className="mb-3 text-xl font-semibold">New in</h2>
          {featured.items.length ? <ProductGrid products={featured.items} /> : <EmptyState title="No products yet" />}
        </section>
      </div>
    );
  });
}
