"use client";

import { createCategory, deleteCategory, updateCategory } from "@/lib/actions/admin";
import type { CategoryNode } from "@/lib/api/types";
import { ActionForm } from "@/components/account/action-form";
import { Field } from "@/components/account/field";
import { CategorySelect } from "./category-select";
import { flattenCategories } from "@/components/catalog/flatten-categories";

/**
 * Every category with rename, describe, move and delete, and a form for a new one. A category has
 * no "inactive" state in the catalog API: only an empty one can be taken away (deleted).
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
        <ul className="flex flex-col divide-y divide-slate-200">
          {flattenCategories(tree).map(({ node, depth }) => (
            <li key={node.id} className="py-3" style={{ paddingLeft: `${depth * 1.25}rem` }} data-testid="category" data-slug={node.slug}>
              <details>
                <summary className="cursor-pointer">
                  {node.name} <span className="text-sm text-slate-500">({node.productCount} products · /{node.slug})</span>
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
                  <ActionForm action={deleteCategory} submitLabel="Delete category">
                    {() => (
                      <>
                        <input type="hidden" name="id" value={node.id} />
                        <p className="text-sm text-slate-600">Only an empty category (no products, no subcategories) can be deleted.</p>
                      </>
                    )}
                  </ActionForm>
                </div>
              </details>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
