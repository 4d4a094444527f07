import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ProductForm } from "@/components/admin/product-form";
import { ProductStatusForm } from "@/components/admin/product-status-form";
import { ApiError, catalog } from "@/lib/api";
import { requireAccessToken } from "@/lib/session/server";

export const metadata: Metadata = { title: "Admin · Edit product" };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ created?: string }> };

export default async function EditProduct({ params, searchParams }: Props) {
  const { id } = await params;
  const { created } = await searchParams;
  const token = await requireAccessToken(`/admin/products/${id}`);
  const [product, tree] = await Promise.all([
    catalog.getProduct(id, token).catch((error: unknown) => {
      if (error instanceof ApiError && (error.status === 404 || error.status === 422)) return null;
      throw error;
    }),
    // The admin's tree: a product in an inactive category keeps it in the select (the shop's would drop it).
    catalog.getCategoryTreeAsAdmin(token),
  ]);
  if (!product) notFound();
  return (
    <div className="flex max-w-3xl flex-col gap-4">
      {created && <p role="status" className="rounded bg-emerald-50 p-2 text-sm text-emerald-800" data-testid="created">Product created.</p>}
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-semibold">{product.name}</h1>
        {product.active ? (
          <Link href={`/products/${product.slug}`} className="text-sm underline">View in the shop</Link>
        ) : (
          <span className="rounded bg-slate-100 px-2 py-0.5 text-sm" data-testid="inactive">Deactivated</span>
        )}
      </div>
      <ProductForm tree={tree} product={product} />
      <section aria-labelledby="status-heading" className="border-t border-slate-200 pt-4">
        <h2 id="status-heading" className="mb-2 font-semibold">In the shop</h2>
        <ProductStatusForm product={product} />
      </section>
    </div>
  );
}
