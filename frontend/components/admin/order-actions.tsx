"use client";

import { changeOrder } from "@/lib/actions/orders";
import { ActionForm } from "@/components/account/action-form";

/** Ship and Cancel: the API decides whether the status allows it (a 409 is shown as it says). */
export function OrderActions({ id }: { id: string }) {
  return (
    <div className="flex flex-wrap gap-6" data-testid="order-actions">
      <ActionForm action={changeOrder} submitLabel="Ship order" testId="ship-order">
        {() => (
          <>
            <input type="hidden" name="id" value={id} />
            <input type="hidden" name="intent" value="ship" />
            <p className="text-sm text-slate-600">A confirmed (paid) order can be shipped.</p>
          </>
        )}
      </ActionForm>
      <ActionForm action={changeOrder} submitLabel="Cancel order" testId="cancel-order">
        {() => (
          <>
            <input type="hidden" name="id" value={id} />
            <input type="hidden" name="intent" value="cancel" />
            <p className="text-sm text-slate-600">An order not yet paid can be cancelled; its stock is released.</p>
          </>
        )}
      </ActionForm>
    </div>
  );
}
