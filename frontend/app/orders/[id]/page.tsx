import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { OrderContents } from "@/components/orders/order-contents";
import { OrderTracker } from "@/components/orders/order-tracker";
import { LocalTime } from "@/components/layout/local-time";
import { OrderPayments } from "@/components/payments/order-payments";
import { cancelMyOrder, readMyOrder } from "@/lib/actions/orders";
import { ApiError, orders, payments } from "@/lib/api";
import { orGatewayDown } from "@/lib/gateway-guard";
import { parseCarriedPayment } from "@/lib/payment-choice";
import { requireAccessToken, signInAgainOn401 } from "@/lib/session/server";

export const metadata: Metadata = { title: "Your order" };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function OrderPage({ params, searchParams }: Props) {
  const { id } = await params;
  const carried = parseCarriedPayment(await searchParams); // the payment chosen at checkout, if any
  const token = await requireAccessToken(`/orders/${id}`);
  return orGatewayDown(async () => {
    const order = await signInAgainOn401(`/orders/${id}`, orders.getMine(token, id)).catch((error: unknown) => {
      if (error instanceof ApiError && (error.status === 404 || error.status === 422)) return null;
      throw error;
    });
    if (!order) notFound();
    // Payments answer on their own: when they cannot, the order still shows (and a test card still pays).
    const payable = order.status === "pending" || order.status === "awaiting_payment";
    const [paid, methods] = await Promise.all([
      payments.listForOrder(token, order.id).catch(() => null),
      payable ? payments.listMethods(token).catch(() => null) : Promise.resolve(null),
    ]);
    return (
      <div className="flex max-w-4xl flex-col gap-6">
        <div className="flex flex-col gap-1">
          <Link href="/orders" className="text-sm underline">All your orders</Link>
          <h1 className="text-2xl font-semibold">Order <span className="font-mono text-lg">{order.id.slice(0, 8)}</span></h1>
          <p className="text-sm text-slate-600">Placed <LocalTime iso={order.placedAt} /></p>
        </div>
        <OrderTracker initial={order} read={readMyOrder} cancel={cancelMyOrder} payments={paid} methods={methods} carried={carried} />
        <OrderPayments payments={paid} />
        <OrderContents order={order} />
      </div>
    );
  });
}
