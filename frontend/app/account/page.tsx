import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { AddressForm } from "@/components/account/address-form";
import { AddressList } from "@/components/account/address-list";
import { ProfileForm } from "@/components/account/profile-form";
import { accounts, ApiError } from "@/lib/api";
import { orGatewayDown } from "@/lib/gateway-guard";
import { requireAccessToken } from "@/lib/session/server";

export const metadata: Metadata = { title: "Your account" };

export default async function AccountPage() {
  const token = await requireAccessToken("/account");
  return orGatewayDown(async () => {
    let data;
    try {
      data = await Promise.all([accounts.getMe(token), accounts.listAddresses(token)]);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) redirect("/login?next=/account");
      throw error;
    }
    const [user, addresses] = data;
    return (
      <div className="flex max-w-3xl flex-col gap-10">
        <h1 className="text-2xl font-semibold">Your account</h1>
        <section aria-labelledby="profile-heading" className="flex flex-col gap-3">
          <h2 id="profile-heading" className="text-lg font-semibold">Profile</h2>
          <ProfileForm user={user} />
        </section>
        <section aria-labelledby="addresses-heading" className="flex flex-col gap-4">
          <h2 id="addresses-heading" className="text-lg font-semibold">Addresses</h2>
          <AddressList addresses={addresses} />
          <h3 className="font-medium">Add an address</h3>
          <AddressForm />
        </section>
        <section aria-labelledby="payment-methods-heading" className="flex flex-col gap-2">
          <h2 id="payment-methods-heading" className="text-lg font-semibold">Payment methods</h2>
          <p className="text-sm text-slate-600">Saved cards pay for an order in one step.</p>
          <Link href="/account/payment-methods" className="self-start text-sm underline">Manage saved cards</Link>
        </section>
      </div>
    );
  });
}
