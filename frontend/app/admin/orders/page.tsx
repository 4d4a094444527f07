import type { Metadata } from "next";
import { OrderStatusFilter } from "@/components/admin/order-status-filter";
import { PageLinks } from "@/components/catalog/pagination";
import { EmptyState } from "@/components/layout/empty-state";
import { OrderTable } from "@/components/orders/order-table";
import { orders } from "@/lib/api";
import { ordersHref, parseOrdersQuery, toOrdersSearch } from "@/lib/orders-query";
import { requireAccessToken } from "@/lib/session/server";

export const metadata: Metadata = { title: "Admin · Orders" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AdminOrders({ searchParams }: Props) {
  const query = parseOrdersQuery(await searchParams);
  const token = await requireAccessToken(ordersHref("/admin/orders", query));
  const page = await orders.search(token, toOrdersSearch(query));
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">Orders</h1>
      <OrderStatusFilter query={query} />
      <p className="text-sm text-slate-600" data-testid="order-count">{page.total} {page.total === 1 ? "order" : "orders"}, newest first</p>
      {page.items.length === 0 ? (
        <EmptyState title="No orders match" />
      ) : (
        <OrderTable orders={page.items} hrefOf={(o) => `/admin/orders/${o.id}`} showCustomer />
      )}
      <PageLinks page={query.page} total={page.total} pageSize={page.pageSize} hrefFor={(p) => ordersHref("/admin/orders", query, { page: p })} />
    </div>
  );
}
