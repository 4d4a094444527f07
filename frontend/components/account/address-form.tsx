"use client";

import { addAddress } from "@/lib/actions/account";
import { ActionForm } from "./action-form";
import { Field } from "./field";

export function AddressForm() {
  return (
    <ActionForm action={addAddress} submitLabel="Add address" testId="address-form">
      {({ fieldErrors: e }) => (
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label="Recipient" name="name" required autoComplete="name" error={e.name} />
          <Field label="Phone (optional)" name="phone" type="tel" autoComplete="tel" error={e.phone} />
          <Field label="Address line 1" name="line1" required autoComplete="address-line1" error={e.line1} />
          <Field label="Address line 2 (optional)" name="line2" autoComplete="address-line2" error={e.line2} />
          <Field label="City" name="city" required autoComplete="address-level2" error={e.city} />
          <Field label="Region (optional)" name="region" autoComplete="address-level1" error={e.region} />
          <Field label="Postal code" name="postal_code" required autoComplete="postal-code" error={e.postal_code} />
          <Field label="Country" name="country" required autoComplete="country" hint="Two letters, e.g. US or DE" error={e.country} />
          <label className="flex items-center gap-2 text-sm sm:col-span-2">
            <input type="checkbox" name="is_default" className="h-4 w-4" /> Make this my default address
          </label>
        </div>
      )}
    </ActionForm>
  );
}
