"use client";

import { adjustStock, receiveStock } from "@/lib/actions/inventory";
import type { Warehouse } from "@/lib/api/types";
import { ActionForm } from "@/components/account/action-form";
import { Field } from "@/components/account/field";
import { WarehouseSelect } from "./warehouse-select";

interface Props {
  /** The warehouses that can take stock (active ones). */
  warehouses: Warehouse[];
  /** Prefill the SKU (from the list's filter). */
  sku?: string;
}

/** Receive units of a SKU the catalog sells into an active warehouse. */
export function ReceiveStockForm({ warehouses, sku }: Props) {
  return (
    <ActionForm action={receiveStock} submitLabel="Receive stock" testId="receive-form">
      {({ fieldErrors: e }) => (
        <div className="grid gap-3 sm:grid-cols-2">
          <WarehouseSelect warehouses={warehouses} name="warehouse_id" label="Warehouse" required error={e.warehouse_id} />
          <Field label="SKU" name="sku" required defaultValue={sku} error={e.sku} hint="As the catalog lists it, e.g. SPO-CMP-0001" />
          <Field label="Quantity" name="quantity" type="number" required error={e.quantity} hint="Units received, at least 1" />
          <Field label="Low-stock threshold" name="low_stock_threshold" type="number" error={e.low_stock_threshold} hint="Optional: flag the level at or below this many available" />
          <div className="sm:col-span-2"><Field label="Reason" name="reason" required error={e.reason} hint="e.g. delivery note 4711" /></div>
        </div>
      )}
    </ActionForm>
  );
}

/** Correct a level by a signed number of units (never below what is reserved). */
export function AdjustStockForm({ warehouses, sku }: Props) {
  return (
    <ActionForm action={adjustStock} submitLabel="Adjust stock" testId="adjust-form">
      {({ fieldErrors: e }) => (
        <div className="grid gap-3 sm:grid-cols-2">
          <WarehouseSelect warehouses={warehouses} name="warehouse_id" label="Warehouse" required error={e.warehouse_id} />
          <Field label="SKU" name="sku" required defaultValue={sku} error={e.sku} />
          <Field label="Change in units" name="delta" type="number" required error={e.delta} hint="Negative to remove (damage, loss), positive to add (a find)" />
          <Field label="Low-stock threshold" name="low_stock_threshold" type="number" error={e.low_stock_threshold} hint="Optional" />
          <div className="sm:col-span-2"><Field label="Reason" name="reason" required error={e.reason} hint="e.g. damaged in transit" /></div>
        </div>
      )}
    </ActionForm>
  );
}
