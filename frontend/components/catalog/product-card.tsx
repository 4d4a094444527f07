import Link from "next/link";
import type { Product } from "@/lib/api/types";
import { Availability } from "./availability";
import { Price } from "./price";
import { ProductImage } from "./product-image";

export function ProductCard({ product, priority = false }: { product: Product; priority?: boolean }) {
  return (
    <li className="flex flex-col gap-2" data-testid="product-card">
      <Link href={`/products/${product.slug}`} className="group flex flex-col gap-2">
        <ProductImage image={product.images[0]} fallbackAlt={product.name} priority={priority} />
        <span className="line-clamp-2 font-medium group-hover:underline">{product.name}</span>
      </Link>
      <div className="flex items-center justify-between gap-2">
        <Price money={product.price} className="font-semibold" />
        <Availability inStock={product.inStock} />
      </div>
    </li>
  );
}

export function ProductGrid({ products }: { products: Product[] }) {
  return (
    <ul className="grid grid-cols-2 gap-4 md:grid-cols-3 lg:grid-cols-4">
      {products.map((p, i) => <ProductCard key={p.id} product={p} priority={i < 4} />)}
    </ul>
  );
}
