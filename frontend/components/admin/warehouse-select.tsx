import type { Warehouse } from "@/lib/api/types";
import { FieldMessage, inputClass } from "@/components/layout/form-bits";

interface Props {
  warehouses: Warehouse[];
  name: string;
  label: string;
  defaultValue?: string;
  emptyLabel?: string;
  required?: boolean;
  error?: string;
}

/** Pick a warehouse by code and name (inactive ones say so). */
export function WarehouseSelect({ warehouses, name, label, defaultValue, emptyLabel, required, error }: Props) {
  return (
    <label className="flex flex-col gap-1 text-sm font-medium">
      {label}
      <select name={name} defaultValue={defaultValue ?? ""} required={required} aria-invalid={error ? true : undefined} className={inputClass}>
        {emptyLabel !== undefined && <option value="">{emptyLabel}</option>}
        {warehouses.map((w) => (
          <option key={w.id} value={w.id}>{w.code} · {w.name}{w.active ? "" : " (inactive)"}</option>
        ))}
      </select>
      <FieldMessage message={error} />
    </label>
  );
}
