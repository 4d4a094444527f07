import type { Metadata } from "next";
import { CategoryManager } from "@/components/admin/category-manager";
import { catalog } from "@/lib/api";

export const metadata: Metadata = { title: "Admin · Categories" };

export default async function AdminCategories() {
  const tree = await catalog.getCategoryTree();
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">Categories</h1>
      <CategoryManager tree={tree} />
    </div>
  );
}
