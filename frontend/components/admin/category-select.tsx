import type { CategoryNode } from "@/lib/api/types";
import { inputClass } from "@/components/layout/form-bits";
import { categoryRows, visibilityTag } from "@/lib/category-visibility";

interface Props {
  /** The admin's tree: deactivated categories too, tagged as such, so a product's own one is never lost. */
  tree: CategoryNode[];
  name: string;
  label: string;
  defaultValue?: string | null;
  emptyLabel: string;
  exclude?: string;
}

export function CategorySelect({ tree, name, label, defaultValue, emptyLabel, exclude }: Props) {
  return (
    <label className="flex flex-col gap-1 text-sm font-medium">
      {label}
      <select name={name} defaultValue={defaultValue ?? ""} className={inputClass}>
        <option value="">{emptyLabel}</option>
        {categoryRows(tree)
          .filter(({ node }) => node.id !== exclude)
          .map((row) => {
            const tag = visibilityTag(row);
            return (
              <option key={row.node.id} value={row.node.id}>
                {"\u00a0\u00a0".repeat(row.depth)}{row.node.name}{tag && ` (${tag})`}
              </option>
            );
          })}
      </select>
    </label>
  );
}
