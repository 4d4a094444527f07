"use client";

import { createWarehouse, updateWarehouse } from "@/lib/actions/inventory";
import type { Warehouse } from "@/lib/api/types";
import { ActionForm } from "@/components/account/action-form";
import { Field } from "@/components/account/field";
import { ActiveToggleForm } from "./active-toggle-form";

/** A form for a new warehouse, and every warehouse with rename and (de)activate. */
export function WarehouseManager({ warehouses }: { warehouses: Warehouse[] }) {
  return (
    <div className="flex flex-col gap-8">
      <section aria-labelledby="new-warehouse" className="max-w-xl">
        <h2 id="new-warehouse" className="mb-2 font-semibold">New warehouse</h2>
        <ActionForm action={createWarehouse} submitLabel="Create warehouse" testId="warehouse-form">
          {({ fieldErrors: e }) => (
            <>
              <Field label="Code" name="code" required error={e.code} hint="Upper case letters, digits, _ and -, e.g. EAST-1; it cannot change later" />
              <Field label="Name" name="name" required error={e.name} />
              <Field label="Address" name="address" error={e.address} />
            </>
          )}
        </ActionForm>
      </section>
      <section aria-labelledby="all-warehouses">
        <h2 id="all-warehouses" className="mb-2 font-semibold">All warehouses</h2>
        {warehouses.length === 0 ? (
          <p className="text-sm text-slate-600" data-testid="empty-state">No warehouses yet: create the first one above.</p>
        ) : (
          <ul className="flex flex-col divide-y divide-slate-200" data-testid="warehouse-list">
            {warehouses.map((w) => (
              <li key={w.id} className="py-3" data-testid="warehouse" data-code={w.code}>
                <details>
                  <summary className="cursor-pointer">
                    <span className="font-mono">{w.code}</span> {w.name}{" "}
                    <span className={`text-sm ${w.active ? "text-emerald-700" : "text-slate-500"}`}>({w.active ? "active" : "inactive"})</span>
                  </summary>
                  <div className="mt-3 grid gap-4 sm:grid-cols-2">
                    <ActionForm action={updateWarehouse} submitLabel="Save">
                      {({ fieldErrors: e }) => (
                        <>
                          <input type="hidden" name="id" value={w.id} />
                          <input type="hidden" name="intent" value="rename" />
                          <Field label="Name" name="name" defaultValue={w.name} required error={e.name} />
                          <Field label="Address" name="address" defaultValue={w.address} error={e.address} />
                        </>
                      )}
                    </ActionForm>
                    <ActiveToggleForm
                      action={updateWarehouse}
                      id={w.id}
                      active={w.active}
                      labels={{ deactivate: "Deactivate warehouse", activate: "Activate warehouse" }}
                      explain={{
                        active: "An inactive warehouse receives nothing and its stock is not available to shoppers; reservations already held there stay held.",
                        inactive: "Its stock counts as available again.",
                      }}
                    />
                  </div>
                </details>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
