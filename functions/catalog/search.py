"""Product search: full text (ranked), filters, sort, page or cursor, category facets."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    cast,
    false,
    func,
    literal,
    literal_column,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import DOUBLE_PRECISION, REGCONFIG

from functions.catalog import model
from functions.catalog.categories import category_nodes, find_category
from functions.catalog.products import product_query
from functions.catalog.tables import availability, products
from functions.catalog.views import product_view
from functions.runtime.exceptions import InvalidInput, NotAllowed
from functions.runtime.paging import envelope

if TYPE_CHECKING:
    from functions.catalog.commands import SearchProducts

_ENGLISH = cast(literal_column("'english'"), REGCONFIG)


def _filters(query: SearchProducts, tsquery: ColumnElement[Any] | None) -> list[ColumnElement[bool]]:
    """Every filter but the category one (facets count across categories)."""
    found: list[ColumnElement[bool]] = {"active": [products.c.active], "inactive": [~products.c.active],
                                        "any": []}[query.status]
    if tsquery is not None:
        found.append(products.c.search.op("@@")(tsquery))
    if query.min_price is not None:
        found.append(products.c.price_minor >= query.min_price)
    if query.max_price is not None:
        found.append(products.c.price_minor <= query.max_price)
    if query.in_stock is not None:
        found.append(func.coalesce(availability.c.in_stock, false()) == query.in_stock)
    if query.skus is not None:
        found.append(products.c.sku.in_(query.skus))
    return found


def _order(sort: str, rank: ColumnElement[Any] | None) -> tuple[ColumnElement[Any], bool]:
    """Return the sort key and whether it descends (ties break on id, the same way)."""
    match sort:
        case "relevance" if rank is not None:
            return rank, True
        case "price":
            return products.c.price_minor, False
        case "-price":
            return products.c.price_minor, True
        case "name":
            return products.c.name, False
        case _:
            return products.c.created_at, True


def _after_cursor(key: ColumnElement[Any], descending: bool, cursor: str, sort: str,
                  ) -> ColumnElement[bool]:
    """Return the keyset condition 'comes after the cursor's row' in this sort order."""
    try:
        value, last_id = model.decode_cursor(cursor, sort)
    except model.BadCursor as exc:
        raise InvalidInput.of("cursor", str(exc)) from None
    row, after = tuple_(key, products.c.id), tuple_(literal(value), literal(last_id))
    return row < after if descending else row > after


def _cursor_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _facets(conn: Connection, query: SearchProducts, tsquery: ColumnElement[Any] | None,
            nodes: dict[UUID, model.CategoryNode]) -> tuple[dict[UUID | None, int], list[dict[str, Any]]]:
    direct_rows = conn.execute(
        select(products.c.category_id, func.count())
        .select_from(products.outerjoin(availability, availability.c.sku == products.c.sku))
        .where(*_filters(query, tsquery)).group_by(products.c.category_id))
    direct = {category_id: count for category_id, count in direct_rows}
    rolled = model.rollup_counts(nodes.values(), {k: v for k, v in direct.items() if k in nodes})
    facets = [{"id": cid, "slug": nodes[cid].slug, "name": nodes[cid].name,
               "parent_id": nodes[cid].parent_id, "count": count}
              for cid, count in sorted(rolled.items(), key=lambda kv: (-kv[1], nodes[kv[0]].name))]
    return direct, facets


def search_products(conn: Connection, query: SearchProducts, role: str | None) -> dict[str, Any]:
    """Return one page of the products matching `query`, with totals and facets over the categories
    `role` sees; a category hidden from it is as unknown. Deactivated products are for admins only."""
    if query.status != "active" and not model.sees_inactive(role):
        raise NotAllowed("Only admins see deactivated products: `status` other than `active` needs the admin role.")
    terms = model.search_terms(query.q or "")
    tsquery = func.to_tsquery(_ENGLISH, terms) if terms else None
    # As double precision: a real's text form does not round-trip through a cursor exactly.
    rank = (cast(func.ts_rank(products.c.search, tsquery), DOUBLE_PRECISION)
            if tsquery is not None else None)
    nodes = category_nodes(conn, role)
    direct, facets = _facets(conn, query, tsquery, nodes)

    conditions = _filters(query, tsquery)
    in_scope: set[UUID | None] = set(direct)
    if query.category is not None:
        root = find_category(conn, query.category)
        in_scope = model.descendants(nodes.values(), root) if root in nodes else set()
        conditions.append(products.c.category_id.in_(list(in_scope)))
    total = sum(count for category_id, count in direct.items() if category_id in in_scope)

    sort = query.effective_sort
    if sort == "relevance" and rank is None:  # nothing to rank by without search words
        sort = "newest"
    key, descending = _order(sort, rank)
    if query.cursor:
        conditions.append(_after_cursor(key, descending, query.cursor, sort))
    page = None if query.cursor else (query.page or 1)
    offset = 0 if query.cursor else (page - 1) * query.page_size
    ordering = (key.desc(), products.c.id.desc()) if descending else (key.asc(), products.c.id.asc())
    stmt = product_query().add_columns(key.label("sort_key")).where(and_(*conditions)) \
        .order_by(*ordering).limit(query.page_size + 1).offset(offset)
    rows = conn.execute(stmt).mappings().all()

    more, rows = len(rows) > query.page_size, rows[:query.page_size]
    next_cursor = (model.encode_cursor(sort, _cursor_value(rows[-1]["sort_key"]), rows[-1]["id"])
                   if more else None)
    items = [product_view(row) for row in rows]
    return envelope(items, total, page, query.page_size, facets={"categories": facets},
                    sort=sort, next_cursor=next_cursor)
