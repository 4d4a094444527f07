import type { CategoryNode } from "@/lib/api/types";
import { inputClass } from "@/components/layout/form-bits";
import { flattenCategories } from "@/components/catalog/flatten-categories";

interface Props {
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
        {flattenCategories(tree)
          .filter(({ node }) => node.id !== exclude)
          .map(({ node, depth }) => (
            <option key={node.id} value={node.id}>{"\u00a0\u00a0".repeat(depth)}{node.name}</option>
          ))}
      </select>
    </label>
  );
}
