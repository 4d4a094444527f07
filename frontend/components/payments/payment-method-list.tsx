"use client";

import { useActionState } from "react";
import { removePaymentMethod } from "@/lib/actions/payments";
import { initialResult } from "@/lib/actions/result";
import type { PaymentMethod } from "@/lib/api/types";
import { cardLabel, expiryLabel } from "@/lib/cards";
import { EmptyState } from "@/components/layout/empty-state";
import { LocalTime } from "@/components/layout/local-time";

/** The saved cards, each with Delete; what deleting answered is said above the list. */
export function PaymentMethodList({ methods }: { methods: PaymentMethod[] }) {
  const [result, remove, pending] = useActionState(removePaymentMethod, initialResult);
  return (
    <div className="flex flex-col gap-3">
      {result.message && (
        <p role={result.ok ? "status" : "alert"} className={`rounded p-2 text-sm ${result.ok ? "bg-emerald-50 text-emerald-800" : "bg-red-50 text-red-800"}`}>
          {result.message}
        </p>
      )}
      {methods.length === 0 ? (
        <EmptyState title="No saved cards yet">Save a test card below to pay for your orders in one step.</EmptyState>
      ) : (
        <ul className="grid gap-3 sm:grid-cols-2" data-testid="payment-method-list">
          {methods.map((m) => (
            <li key={m.id} className="flex flex-wrap items-start justify-between gap-3 rounded border border-slate-200 p-3 text-sm" data-testid="payment-method" data-brand={m.brand} data-last4={m.last4}>
              <span>
                <strong>{cardLabel(m)}</strong>
                <br /><span className="text-slate-600">Expires {expiryLabel(m)}</span>
                <br /><span className="text-xs text-slate-500">Added <LocalTime iso={m.createdAt} /></span>
              </span>
              <form action={remove}>
                <input type="hidden" name="id" value={m.id} />
                <button type="submit" disabled={pending} aria-label={`Delete ${cardLabel(m)}`} className="rounded text-red-700 underline disabled:opacity-60">
                  Delete
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
