"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, type ReactNode } from "react";
import { placeOrder, type PlaceOrderResult } from "@/lib/actions/orders";
import type { PaymentChoice } from "@/lib/actions/payments";
import type { Address, PaymentMethod } from "@/lib/api/types";
import { attemptAfter, attemptFor, randomKey, type Attempt } from "@/lib/checkout-attempt";
import { firstChoice, orderPageHref } from "@/lib/payment-choice";
import { useCart } from "@/components/cart/cart-provider";
import { PaymentChoiceFields } from "@/components/payments/payment-choice-fields";

interface Props {
  addresses: Address[];
  /** The inline "add a new address" form (its own form, so it sits beside the choice, not in it). */
  addAddress: ReactNode;
  /** The lines and the cart's subtotal. */
  review: ReactNode;
  /** The shopper's saved cards to pay with; null when they could not be read (a test card still pays). */
  methods: PaymentMethod[] | null;
}

const preselected = (addresses: Address[]) => (addresses.find((a) => a.isDefault) ?? addresses[0])?.id ?? null;

const NETWORK_MESSAGE = "Your connection dropped before the shop answered. Try again: the order will not be placed twice.";

/**
 * Choose the address, review, choose how to pay, and place the order with one Idempotency-Key per
 * attempt. The payment goes to the order's page with its own key: an order can only be paid once
 * inventory has held its stock, which that page follows.
 */
export function CheckoutForm({ addresses, addAddress, review, methods }: Props) {
  const router = useRouter();
  const emptied = useCart((s) => s.emptied);
  const [addressId, setAddressId] = useState(() => preselected(addresses));
  const [knownIds, setKnownIds] = useState(() => addresses.map((a) => a.id).join());
  const [answer, setAnswer] = useState<Exclude<PlaceOrderResult, { outcome: "placed" }> | null>(null);
  const [placing, setPlacing] = useState(false);
  const [payWith, setPayWith] = useState<PaymentChoice>(() => firstChoice(methods));
  const attempt = useRef<Attempt | null>(null);

  // An address just added inline is the one the shopper means to use.
  const ids = addresses.map((a) => a.id).join();
  if (ids !== knownIds) {
    const added = addresses.find((a) => !knownIds.split(",").includes(a.id));
    setKnownIds(ids);
    setAddressId(added?.id ?? preselected(addresses));
  }

  async function place(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const current = attemptFor(attempt.current, addressId);
    attempt.current = current;
    setPlacing(true);
    setAnswer(null);
    let result: PlaceOrderResult;
    try {
      result = await placeOrder(current.key, addressId);
    } catch {
      attempt.current = attemptAfter(current, "network");
      setAnswer({ outcome: "retry", message: NETWORK_MESSAGE });
      setPlacing(false);
      return;
    }
    attempt.current = attemptAfter(current, result.outcome);
    if (result.outcome === "placed") {
      emptied();
      // Choosing the card is not part of placing (the same order whatever the card), so the
      // payment is an attempt of its own, with a key of its own.
      router.push(orderPageHref(result.orderId, { choice: payWith, key: randomKey() }));
      return;
    }
    setAnswer(result);
    setPlacing(false);
  }

  return (
    <div className="flex flex-col gap-8">
      <section aria-labelledby="address-heading" className="flex flex-col gap-3">
        <h2 id="address-heading" className="text-lg font-semibold">1. Shipping address</h2>
        {addresses.length === 0 ? (
          <p className="text-sm text-slate-600">You have no saved address yet: add one below.</p>
        ) : (
          <fieldset className="grid gap-3 sm:grid-cols-2" data-testid="address-choice">
            <legend className="sr-only">Ship to</legend>
            {addresses.map((a) => (
              <label key={a.id} className="flex cursor-pointer gap-3 rounded border border-slate-200 p-3 text-sm has-[:checked]:border-slate-900">
                <input type="radio" name="shipping_address_id" value={a.id} checked={addressId === a.id} onChange={() => setAddressId(a.id)} className="mt-1 h-4 w-4" />
                <span>
                  <strong>{a.name}</strong>
                  {a.isDefault && <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs">Default</span>}
                  <br />{a.line1}{a.line2 && <>, {a.line2}</>}
                  <br />{a.postalCode} {a.city}{a.region && `, ${a.region}`}, {a.country}
                </span>
              </label>
            ))}
          </fieldset>
        )}
        {addAddress}
      </section>
      <section aria-labelledby="review-heading" className="flex flex-col gap-3">
        <h2 id="review-heading" className="text-lg font-semibold">2. Review</h2>
        {review}
      </section>
      <section aria-labelledby="payment-heading" className="flex flex-col gap-3" data-testid="checkout-payment">
        <h2 id="payment-heading" className="text-lg font-semibold">3. Payment</h2>
        <PaymentChoiceFields methods={methods} choice={payWith} onChoose={setPayWith} disabled={placing} />
        <p className="text-sm text-slate-600">
          Placing the order reserves your items; the card is charged as soon as they are reserved, on the next page. If they
          cannot be, nothing is charged. Declined? You can choose another card there.
        </p>
      </section>
      <form onSubmit={place} className="flex flex-col items-end gap-3">
        <noscript><p className="text-sm text-slate-600">Placing an order needs JavaScript: turn it on to go on.</p></noscript>
        {answer && (
          <p role="alert" className="self-stretch rounded border border-red-300 bg-red-50 p-3 text-sm text-red-800" data-testid="place-order-error">
            {answer.outcome === "refused" && answer.field === "shipping_address_id" ? `Choose or add a shipping address: ${answer.message}` : answer.message}
          </p>
        )}
        <button type="submit" disabled={placing || addressId === null} className="rounded bg-slate-900 px-6 py-2.5 font-medium text-white hover:bg-slate-700 disabled:opacity-60">
          {placing ? "Placing your order…" : answer?.outcome === "retry" ? "Try again" : "Place order and pay"}
        </button>
      </form>
    </div>
  );
}
