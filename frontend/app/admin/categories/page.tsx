import type { Metadata } from "next";
import { CategoryManager } from "@/components/admin/category-manager";
import { catalog } from "@/lib/api";
import { requireAccessToken } from "@/lib/session/server";

export const metadata: Metadata = { title: "Admin · Categories" };

export default async function AdminCategories() {
  // The admin's read: deactivated categories (and those below them) too, which the shop's leaves out.
  const token = await requireAccessToken("/admin/categories");
  const tree = await catalog.getCategoryTreeAsAdmin(token);
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">Categories</h1>
      <CategoryManager tree={tree} />
    </div>
  );
}
