import type { CategoryNode, CategoryRef } from "./api/types";

/**
 * One category of the admin's tree, in display order, with whether the shop shows it: the catalog
 * hides a deactivated category and everything below it from everyone but admins.
 */
export interface CategoryRow {
  node: CategoryNode;
  depth: number;
  /** The nearest deactivated category above this one (it hides this one too); null when none. */
  hiddenBy: CategoryRef | null;
  /** Whether shoppers see it: active, and no deactivated category above it. */
  shown: boolean;
}

/** The tree as a list in display order (as flattenCategories), each with its visibility in the shop. */
export function categoryRows(tree: CategoryNode[], depth = 0, hiddenBy: CategoryRef | null = null): CategoryRow[] {
  return tree.flatMap((node) => {
    const row: CategoryRow = { node, depth, hiddenBy, shown: node.active && hiddenBy === null };
    const below = node.active ? hiddenBy : { id: node.id, slug: node.slug, name: node.name };
    return [row, ...categoryRows(node.children, depth + 1, below)];
  });
}

/** A short word for a category the shop does not show ("" for one it does), as the admin's selects add it. */
export function visibilityTag(row: Pick<CategoryRow, "node" | "hiddenBy">): string {
  if (!row.node.active) return "inactive";
  return row.hiddenBy ? "hidden" : "";
}
