import type { Metadata } from "next";
import Link from "next/link";
import { PageLinks } from "@/components/catalog/pagination";
import { EmptyState } from "@/components/layout/empty-state";
import { OrderTable } from "@/components/orders/order-table";
import { orders, payments } from "@/lib/api";
import { orGatewayDown } from "@/lib/gateway-guard";
import { ordersHref, parseOrdersQuery, toOrdersSearch } from "@/lib/orders-query";
import { requireAccessToken, signInAgainOn401 } from "@/lib/session/server";

export const metadata: Metadata = { title: "Your orders" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function OrderHistory({ searchParams }: Props) {
  const query = { ...parseOrdersQuery(await searchParams), status: "" as const };
  const token = await requireAccessToken(ordersHref("/orders", query));
  return orGatewayDown(async () => {
    const page = await signInAgainOn401("/orders", orders.listMine(token, toOrdersSearch(query)));
    // An order still pending cannot have been paid yet: payments only takes an order awaiting payment.
    const paid = await payments.listForOrders(token, page.items.filter((o) => o.status !== "pending").map((o) => o.id));
    return (
      <div className="flex max-w-4xl flex-col gap-4">
        <h1 className="text-2xl font-semibold">Your orders</h1>
        {page.items.length === 0 ? (
          <EmptyState title={page.total === 0 ? "No orders yet" : "No orders on this page"}>
            <Link href={page.total === 0 ? "/products" : "/orders"} className="underline">{page.total === 0 ? "Browse the shop" : "Back to the first page"}</Link>
          </EmptyState>
        ) : (
          <OrderTable orders={page.items} hrefOf={(o) => `/orders/${o.id}`} payments={paid} />
        )}
        <PageLinks page={query.page} total={page.total} pageSize={page.pageSize} hrefFor={(p) => ordersHref("/orders", query, { page: p })} />
      </div>
    );
  });
}
