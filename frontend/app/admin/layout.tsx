import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { accounts, ApiError } from "@/lib/api";
import { orGatewayDown } from "@/lib/gateway-guard";
import { requireAccessToken } from "@/lib/session/server";

/** Admins only: the proxy turns others away; this asks accounts, which checks the role itself. */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const token = await requireAccessToken("/admin");
  return orGatewayDown(async () => {
    try {
      const me = await accounts.getMe(token);
      if (me.role !== "admin") redirect("/login?next=/admin");
    } catch (error) {
      if (error instanceof ApiError) redirect("/login?next=/admin");
      throw error;
    }
    return (
      <div className="flex flex-col gap-6">
        <nav aria-label="Admin" className="flex flex-wrap gap-4 border-b border-slate-200 pb-3 text-sm">
          <span className="font-semibold">Admin</span>
          <Link href="/admin/dashboard" className="hover:underline">Dashboard</Link>
          <Link href="/admin/products" className="hover:underline">Products</Link>
          <Link href="/admin/categories" className="hover:underline">Categories</Link>
          <Link href="/admin/stock" className="hover:underline">Stock</Link>
          <Link href="/admin/orders" className="hover:underline">Orders</Link>
        </nav>
        {children}
      </div>
    );
  });
}
