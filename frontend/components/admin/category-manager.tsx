"use client";

import { createCategory, deleteCategory, updateCategory } from "@/lib/actions/admin";
import type { CategoryNode } from "@/lib/api/types";
import { ActionForm } from "@/components/account/action-form";
import { Field } from "@/components/account/field";
import { categoryRows } from "@/lib/category-visibility";
import { CategorySelect } from "./category-select";
import { CategoryStatusForm, CategoryVisibility } from "./category-status-form";

/**
 * Every category (the admin's tree: deactivated ones too, each marked, and those hidden below one)
 * with rename, describe, move, deactivate or reactivate, and delete, and a form for a new one.
 */
export function CategoryManager({ tree }: { tree: CategoryNode[] }) {
  return (
    <div className="flex flex-col gap-8">
      <section aria-labelledby="new-category" className="max-w-xl">
        <h2 id="new-category" className="mb-2 font-semibold">New category</h2>
        <ActionForm action={createCategory} submitLabel="Create category" testId="category-form">
          {({ fieldErrors: e }) => (
            <>
              <Field label="Name" name="name" required error={e.name} />
              <Field label="Description" name="description" error={e.description} hint="Optional" />
              <CategorySelect tree={tree} name="parent_id" label="Parent" emptyLabel="None (a top-level category)" />
            </>
          )}
        </ActionForm>
      </section>
      <section aria-labelledby="all-categories">
        <h2 id="all-categories" className="mb-2 font-semibold">All categories</h2>
        <p className="mb-2 text-sm text-slate-600">
          An inactive category and every category below it are hidden from shoppers; their products stay for sale and are found by search.
        </p>
        <ul className="flex flex-col divide-y divide-slate-200">
          {categoryRows(tree).map((row) => {
            const { node, depth } = row;
            return (
              <li
                key={node.id}
                className="py-3"
                style={{ paddingLeft: `${depth * 1.25}rem` }}
                data-testid="category"
                data-slug={node.slug}
                data-active={node.active}
                data-shown={row.shown}
              >
                <details>
                  <summary className="cursor-pointer">
                    <span className={row.shown ? undefined : "text-slate-500"}>{node.name}</span>{" "}
                    <span className="text-sm text-slate-500">({node.productCount} products · /{node.slug})</span>
                    <CategoryVisibility row={row} />
                  </summary>
                  <div className="mt-3 grid gap-4 sm:grid-cols-2">
                    <ActionForm action={updateCategory} submitLabel="Save">
                      {({ fieldErrors: e }) => (
                        <>
                          <input type="hidden" name="id" value={node.id} />
                          <Field label="Name" name="name" defaultValue={node.name} required error={e.name} />
                          <Field label="Description" name="description" defaultValue={node.description} error={e.description} />
                          <CategorySelect tree={tree} name="parent_id" label="Parent" defaultValue={node.parentId} emptyLabel="None" exclude={node.id} />
                        </>
                      )}
                    </ActionForm>
                    <div className="flex flex-col gap-4">
                      <CategoryStatusForm row={row} />
                      <ActionForm action={deleteCategory} submitLabel="Delete category">
                        {() => (
                          <>
                            <input type="hidden" name="id" value={node.id} />
                            <p className="text-sm text-slate-600">Only an empty category (no products, no subcategories) can be deleted.</p>
                          </>
                        )}
                      </ActionForm>
                    </div>
                  </div>
                </details>
              </li>
            );
          })}
        </ul>
      </section>
    </div>
  );
}
