import type { Metadata } from "next";
import Link from "next/link";
import { AddPaymentMethodForm } from "@/components/payments/add-payment-method-form";
import { PaymentMethodList } from "@/components/payments/payment-method-list";
import { payments } from "@/lib/api";
import { orGatewayDown } from "@/lib/gateway-guard";
import { requireAccessToken, signInAgainOn401 } from "@/lib/session/server";

export const metadata: Metadata = { title: "Payment methods" };

const PAGE = "/account/payment-methods";

export default async function PaymentMethodsPage() {
  const token = await requireAccessToken(PAGE);
  return orGatewayDown(async () => {
    const methods = await signInAgainOn401(PAGE, payments.listMethods(token));
    return (
      <div className="flex max-w-3xl flex-col gap-8">
        <div className="flex flex-col gap-1">
          <Link href="/account" className="text-sm underline">Your account</Link>
          <h1 className="text-2xl font-semibold">Payment methods</h1>
        </div>
        <section aria-labelledby="saved-heading" className="flex flex-col gap-3">
          <h2 id="saved-heading" className="text-lg font-semibold">Saved cards</h2>
          <PaymentMethodList methods={methods} />
        </section>
        <section aria-labelledby="add-card-heading" className="flex flex-col gap-3">
          <h2 id="add-card-heading" className="text-lg font-semibold">Save a card</h2>
          <AddPaymentMethodForm />
        </section>
      </div>
    );
  });
}
