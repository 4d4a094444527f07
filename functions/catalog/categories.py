"""Category use cases: the tree, one category with its path, create, update, delete."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import Connection, delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from functions.catalog import model
from functions.catalog.tables import categories, products
from functions.catalog.views import category_view
from functions.runtime.db import UnitOfWork, violated_constraint
from functions.runtime.exceptions import Conflict, InvalidInput, NotFound
from functions.runtime.ids import parse_uuid

if TYPE_CHECKING:  # pydantic is the cost of the functions that parse a body, not of every one
    from functions.catalog.commands import CreateCategory, UpdateCategory


def category_nodes(conn: Connection, role: str | None) -> dict[UUID, model.CategoryNode]:
    """Return the categories `role` sees as tree nodes, by id (the tree is small: one query)."""
    rows = conn.execute(select(categories.c.id, categories.c.parent_id, categories.c.slug,
                               categories.c.name, categories.c.active)).mappings()
    return _shown_nodes(rows, role)


def _shown_nodes(rows: Iterable[Mapping[str, Any]], role: str | None) -> dict[UUID, model.CategoryNode]:
    nodes = {row["id"]: model.CategoryNode(row["id"], row["parent_id"], row["slug"], row["name"], row["active"])
             for row in rows}
    return model.shown_categories(nodes, role)


def _product_counts(conn: Connection, nodes: dict[UUID, model.CategoryNode]) -> dict[UUID, int]:
    direct = conn.execute(select(products.c.category_id, func.count())
                          .where(products.c.active, products.c.category_id.is_not(None))
                          .group_by(products.c.category_id))
    return model.rollup_counts(nodes.values(), {cid: n for cid, n in direct})


def _tree_and_nodes(conn: Connection, role: str | None,
                    ) -> tuple[list[dict[str, Any]], dict[UUID, model.CategoryNode]]:
    rows = conn.execute(select(categories)).mappings().all()
    nodes = _shown_nodes(rows, role)
    counts = _product_counts(conn, nodes)
    return model.build_tree(category_view(row, counts.get(row["id"], 0)) for row in rows
                            if row["id"] in nodes), nodes


def category_tree(conn: Connection, role: str | None) -> list[dict[str, Any]]:
    """Return the root categories `role` sees, each with its `children`, and active product counts."""
    return _tree_and_nodes(conn, role)[0]


def find_category(conn: Connection, ref: str) -> UUID | None:
    """Return the id of the category whose id or slug is `ref`, or None."""
    category_id = parse_uuid(ref)
    column = categories.c.id if category_id else categories.c.slug
    return conn.scalar(select(categories.c.id).where(column == (category_id or ref)))


def get_category(conn: Connection, ref: str, role: str | None) -> dict[str, Any]:
    """Return the category (by id or slug) with its subtree and its path from the root; 404 when
    absent or hidden from `role` (deactivated, or below a deactivated one)."""
    category_id = find_category(conn, ref)
    if category_id is None:
        raise NotFound("Category", ref)
    tree, nodes = _tree_and_nodes(conn, role)
    if category_id not in nodes:
        raise NotFound("Category", ref)
    subtree = _find_in_tree(tree, category_id)
    subtree["path"] = [{"id": n.id, "slug": n.slug, "name": n.name}
                       for n in model.ancestors(nodes, category_id)]
    return subtree


def _find_in_tree(tree: list[dict[str, Any]], category_id: UUID) -> dict[str, Any]:
    stack = list(tree)
    while stack:
        node = stack.pop()
        if node["id"] == category_id:
            return node
        stack.extend(node["children"])
    raise NotFound("Category", str(category_id))


def _check_parent(conn: Connection, category_id: UUID | None, parent_id: UUID | None) -> None:
    if parent_id is None:
        return
    nodes = category_nodes(conn, model.ADMIN)
    if parent_id not in nodes:
        raise InvalidInput.of("parent_id", "no such category")
    if category_id is not None and model.would_cycle(nodes, category_id, parent_id):
        raise InvalidInput.of("parent_id", "a category cannot move below itself")


def _raise_conflict(exc: IntegrityError) -> None:
    if violated_constraint(exc) == "categories_slug_key":
        raise Conflict("Another category already has this slug.", "slug") from None
    if violated_constraint(exc) == "categories_parent_id_fkey":
        raise InvalidInput.of("parent_id", "no such category") from None
    raise exc


def create_category(uow: UnitOfWork, cmd: CreateCategory) -> dict[str, Any]:
    """Create a category; 409 when the slug is taken, 422 for an unknown parent."""
    _check_parent(uow.conn, None, cmd.parent_id)
    category_id = uuid.uuid4()
    values = cmd.model_dump() | {"id": category_id, "slug": cmd.slug or model.slugify(cmd.name)}
    try:
        with uow.conn.begin_nested():
            uow.conn.execute(insert(categories).values(**values))
    except IntegrityError as exc:
        _raise_conflict(exc)
    created = get_category(uow.conn, str(category_id), model.ADMIN)
    uow.audit("category.created", category_id, {"slug": created["slug"], "name": created["name"]})
    uow.commit()
    return created


def update_category(uow: UnitOfWork, category_id: UUID, cmd: UpdateCategory) -> dict[str, Any]:
    """Rename, re-slug, describe, reorder, move (never below itself), deactivate or reactivate a category."""
    conn = uow.conn
    # Moves lock the whole table so two concurrent moves cannot build a cycle between them.
    conn.execute(select(categories.c.id).with_for_update()).all()
    if find_category(conn, str(category_id)) is None:
        raise NotFound("Category", str(category_id))
    changes = cmd.changes()
    if "parent_id" in changes:
        _check_parent(conn, category_id, changes["parent_id"])
    try:
        with conn.begin_nested():
            conn.execute(update(categories).where(categories.c.id == category_id)
                         .values(**changes, updated_at=func.now()))
    except IntegrityError as exc:
        _raise_conflict(exc)
    uow.audit("category.updated", category_id, changes)
    updated = get_category(conn, str(category_id), model.ADMIN)
    uow.commit()
    return updated


def delete_category(uow: UnitOfWork, category_id: UUID) -> None:
    """Delete an empty category; 409 while products or subcategories still belong to it."""
    conn = uow.conn
    locked = conn.execute(select(categories.c.id).where(categories.c.id == category_id)
                          .with_for_update()).first()
    if locked is None:
        raise NotFound("Category", str(category_id))
    model.check_deletable(
        has_products=conn.scalar(select(exists().where(products.c.category_id == category_id))),
        has_subcategories=conn.scalar(select(exists().where(categories.c.parent_id == category_id))))
    try:
        with conn.begin_nested():
            conn.execute(delete(categories).where(categories.c.id == category_id))
    except IntegrityError:  # a product was added concurrently: the foreign key refuses
        raise Conflict("The category still has products; move or delete them first.") from None
    uow.audit("category.deleted", category_id)
    uow.commit()
