"use client";

import { addPaymentMethod } from "@/lib/actions/payments";
import { ActionForm } from "@/components/account/action-form";
import { TestCardSelect } from "./test-card-select";

/** Save one of the simulator's test cards (by its token) for paying in one step later. */
export function AddPaymentMethodForm() {
  return (
    <ActionForm action={addPaymentMethod} submitLabel="Save card" testId="add-payment-method">
      {({ fieldErrors: e }) => (
        <TestCardSelect
          name="token"
          label="Test card"
          hint="This shop takes payments through a simulator: choose one of its test cards. We never ask for a card number."
          error={e.token}
        />
      )}
    </ActionForm>
  );
}
