"use client";

import { setCategoryActive } from "@/lib/actions/admin";
import type { CategoryRow } from "@/lib/category-visibility";
import { ActiveToggleForm } from "./active-toggle-form";

/** Take a category out of the shop, or put it back (with what hides it still, if anything does). */
export function CategoryStatusForm({ row }: { row: Pick<CategoryRow, "node" | "hiddenBy"> }) {
  const { node, hiddenBy } = row;
  return (
    <ActiveToggleForm
      action={setCategoryActive}
      id={node.id}
      active={node.active}
      labels={{ deactivate: "Deactivate category", activate: "Reactivate category" }}
      explain={{
        active: "Deactivating hides it and every category below it from the shop (navigation, its listing, the search's category filter); their products stay for sale.",
        inactive: "Inactive: shoppers see neither it nor the categories below it. Reactivating puts it back in the shop's navigation.",
      }}
      testId="category-status"
    >
      {hiddenBy && <input type="hidden" name="hidden_by" value={hiddenBy.name} />}
    </ActiveToggleForm>
  );
}

/** What the shop makes of a category: nothing to say when shown; "Inactive", or hidden below one that is. */
export function CategoryVisibility({ row }: { row: Pick<CategoryRow, "node" | "hiddenBy"> }) {
  return (
    <>
      {!row.node.active && (
        <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900" data-testid="category-inactive">Inactive</span>
      )}
      {row.hiddenBy && (
        <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700" data-testid="category-hidden">
          Hidden: below inactive “{row.hiddenBy.name}”
        </span>
      )}
    </>
  );
}
