import type { CategoryNode } from "@/lib/api/types";

/** The tree as a list in display order, each with its depth (for indented selects). */
export function flattenCategories(tree: CategoryNode[], depth = 0): { node: CategoryNode; depth: number }[] {
  return tree.flatMap((node) => [{ node, depth }, ...flattenCategories(node.children, depth + 1)]);
}
