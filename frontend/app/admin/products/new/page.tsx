import type { Metadata } from "next";
import { ProductForm } from "@/components/admin/product-form";
import { catalog } from "@/lib/api";
import { requireAccessToken } from "@/lib/session/server";

export const metadata: Metadata = { title: "Admin · New product" };

export default async function NewProduct() {
  const token = await requireAccessToken("/admin/products/new");
  const tree = await catalog.getCategoryTreeAsAdmin(token); // inactive categories too, marked as such
  return (
    <div className="flex max-w-3xl flex-col gap-4">
      <h1 className="text-2xl font-semibold">New product</h1>
      <ProductForm tree={tree} />
    </div>
  );
}
