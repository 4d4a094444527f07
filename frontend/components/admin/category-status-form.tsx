"use client";

import { setCategoryActive } from "@/lib/actions/admin";
import { ActionForm } from "@/components/account/action-form";
import type { CategoryRow } from "@/lib/category-visibility";

/**
 * Take a category out of the shop, or put it back: one button for what its state allows, and what
 * the last press did said above it (one form whichever it shows, so the message outlives the change).
 */
export function CategoryStatusForm({ row }: { row: Pick<CategoryRow, "node" | "hiddenBy"> }) {
  const { node, hiddenBy } = row;
  return (
    <ActionForm action={setCategoryActive} submitLabel={node.active ? "Deactivate category" : "Reactivate category"} testId="category-status">
      {() => (
        <>
          <input type="hidden" name="id" value={node.id} />
          <input type="hidden" name="intent" value={node.active ? "deactivate" : "activate"} />
          {hiddenBy && <input type="hidden" name="hidden_by" value={hiddenBy.name} />}
          <p className="text-sm text-slate-600">
            {node.active
              ? "Deactivating hides it and every category below it from the shop (navigation, its listing, the search's category filter); their products stay for sale."
              : "Inactive: shoppers see neither it nor the categories below it. Reactivating puts it back in the shop's navigation."}
          </p>
        </>
      )}
    </ActionForm>
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
