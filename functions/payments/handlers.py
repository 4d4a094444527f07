"""The payments' event handlers: the copy of who may act (accounts' events)."""

from __future__ import annotations

from functions.runtime import access
from functions.runtime.db import UnitOfWork
from functions.runtime.handlers import Event, event_handler


@event_handler(types=access.ACCESS_EVENTS, data=access.AccessChanged)
def on_access_changed(uow: UnitOfWork, event: Event, data: access.AccessChanged) -> None:
    """Keep the payments' copy of ended sessions and current roles (functions/runtime/access.py)."""
    access.record(uow.conn, uow.domain, event.type, data)
