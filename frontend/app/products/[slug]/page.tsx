import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { Availability } from "@/components/catalog/availability";
import { Price } from "@/components/catalog/price";
import { ProductImage } from "@/components/catalog/product-image";
import { AddToCartForm } from "@/components/cart/add-to-cart-form";
import { ApiError, catalog, inventory } from "@/lib/api";
import { orGatewayDown } from "@/lib/gateway-guard";

type Props = { params: Promise<{ slug: string }> };

// Metadata and page ask once between them.
const productBySlug = cache(async (slug: string) => {
  try {
    return await catalog.getProduct(slug);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
});

/** Inventory's count for the SKU, or null when inventory does not answer (the page shows without it). */
async function availableOf(sku: string): Promise<number | null> {
  try {
    return (await inventory.getAvailability(sku)).available;
  } catch {
    return null;
  }
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  try {
    const product = await productBySlug((await params).slug);
    return { title: product?.name ?? "Not found", description: product?.description.slice(0, 160) };
  } catch {
    return { title: "Product" };
  }
}

export default async function ProductPage({ params }: Props) {
  const { slug } = await params;
  return orGatewayDown(async () => {
    const product = await productBySlug(slug);
    if (!product || !product.active) notFound();
    const available = await availableOf(product.sku);
    const [first, ...rest] = product.images;
    return (
      <article className="grid gap-8 md:grid-cols-2">
        <div className="flex flex-col gap-3">
          <ProductImage image={first} fallbackAlt={product.name} priority />
          {rest.length > 0 && (
            <ul className="grid grid-cols-4 gap-2">
              {rest.map((image) => <li key={image.url}><ProductImage image={image} fallbackAlt={product.name} size={100} /></li>)}
            </ul>
          )}
        </div>
        <div className="flex flex-col gap-4">
          {product.category && (
            <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
              <Link className="hover:underline" href={`/products?category=${product.category.slug}`}>{product.category.name}</Link>
            </nav>
          )}
          <h1 className="text-2xl font-semibold">{product.name}</h1>
          <Price money={product.price} className="text-2xl font-bold" />
          <Availability available={available} />
          <AddToCartForm sku={product.sku} slug={product.slug} disabled={available === 0} />
          <p className="leading-relaxed text-slate-700">{product.description}</p>
          {Object.keys(product.attributes).length > 0 && (
            <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm">
              {Object.entries(product.attributes).map(([key, value]) => (
                <div key={key} className="contents">
                  <dt className="text-slate-500">{key.replace(/_/g, " ")}</dt>
                  <dd>{String(value)}</dd>
                </div>
              ))}
            </dl>
          )}
          <p className="text-xs text-slate-400">SKU {product.sku}</p>
        </div>
      </article>
    );
  });
}
