"""The catalog's event handlers: its copies of stock availability (inventory) and of access (accounts)."""

from __future__ import annotations

import functools

from sqlalchemy import bindparam, func
from sqlalchemy.dialects.postgresql import Insert, insert

from functions.catalog.events import AVAILABILITY_CHANGED, AvailabilityChanged
from functions.catalog.tables import availability
from functions.runtime import access, access_changes
from functions.runtime.db import UnitOfWork
from functions.runtime.handlers import Event, event_handler


@functools.cache
def _set_availability() -> Insert:
    # Built once: its `excluded` proxies cost more to build each time than the round trip it makes.
    stmt = insert(availability).values(sku=bindparam("sku"), in_stock=bindparam("in_stock"),
                                       version=bindparam("version"))
    return stmt.on_conflict_do_update(
        index_elements=[availability.c.sku],
        set_={"in_stock": stmt.excluded.in_stock, "version": stmt.excluded.version, "updated_at": func.now()},
        where=availability.c.version < stmt.excluded.version)


@event_handler(types=(AVAILABILITY_CHANGED,), data=AvailabilityChanged)
def on_availability_changed(uow: UnitOfWork, event: Event, data: AvailabilityChanged) -> None:
    """Set the SKU's in-stock flag; an event older than the one applied already changes nothing."""
    uow.conn.execute(_set_availability(),
                     {"sku": data.sku, "in_stock": data.in_stock, "version": data.version})


@event_handler(types=access.ACCESS_EVENTS, data=access_changes.AccessChanged)
def on_access_changed(uow: UnitOfWork, event: Event, data: access_changes.AccessChanged) -> None:
    """Keep the catalog's copy of ended sessions and current roles (functions/runtime/access.py)."""
    access_changes.record(uow.conn, uow.domain, event.type, data)
