"""Rebuild the sales projection from the outboxes: empty it, then replay every domain's sent events
of the projected types through the same use cases the handlers run (projection.py).

An operator's tool (make rebuild-reports), not a function: it reads every domain's outbox as the
read-only role (`ecom_reader`) and writes the projection as `ecom_reporting`, in one transaction
that holds the projection's tables (EXCLUSIVE: the report still reads, live handlers wait and then
apply their events on top, which changes nothing they had not already counted).

Each domain's rows come in `seq` order (its commit order), the domains merged by `created_at`; the
projection gives the same rows in any order, this only makes a replay easy to follow. A row whose
data breaks its contract is skipped and counted, as the live handler would have rejected it.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.pool import NullPool

from functions.reporting.events import PROJECTED
from functions.reporting.projection import PROJECTORS
from functions.reporting.tables import PROJECTION
from functions.runtime.inbox import apply

DOMAIN = "reporting"
PAGE = 1000


@dataclass
class Rebuilt:
    replayed: dict[str, int] = field(default_factory=dict)  # event type -> rows replayed
    skipped: int = 0  # rows whose data breaks their contract

    def total(self) -> int:
        return sum(self.replayed.values())


def _sent_rows(conn: Connection, domain: str) -> Iterator[tuple[Any, str, int, str, Any]]:
    """(created_at, domain, seq, type, data) of the domain's sent rows of the projected types, by seq."""
    after = 0
    while True:
        page = conn.execute(text(
            f"SELECT created_at, seq, type, data FROM {domain}.outbox "
            "WHERE sent_at IS NOT NULL AND seq > :after AND type = ANY(:types) ORDER BY seq LIMIT :page"),
            {"after": after, "types": list(PROJECTED), "page": PAGE}).all()
        for created_at, seq, type_, data in page:
            yield created_at, domain, seq, type_, data
        if len(page) < PAGE:
            return
        after = page[-1][1]


def replay(projection: Connection, outboxes: Connection, domains: tuple[str, ...]) -> Rebuilt:
    """Empty the projection on `projection` and replay the outboxes read on `outboxes` into it
    (the caller commits)."""
    names = ", ".join(f"{DOMAIN}.{table.name}" for table in PROJECTION)
    projection.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))
    for table in PROJECTION:
        projection.execute(text(f"DELETE FROM {DOMAIN}.{table.name}"))
    done = Rebuilt()
    streams = [_sent_rows(outboxes, d) for d in domains if d != DOMAIN]
    for _, _, _, type_, data in heapq.merge(*streams, key=lambda row: (row[0], row[1], row[2])):
        model, project = PROJECTORS[type_]
        try:
            payload = model.model_validate_json(json.dumps(data), strict=True)
        except ValidationError:
            done.skipped += 1
            continue
        apply(projection, project(payload))
        done.replayed[type_] = done.replayed.get(type_, 0) + 1
    return done


def rebuild(admin_url: str) -> Rebuilt:
    """Rebuild the projection of the database at `admin_url` (the migration role's URL)."""
    from schemas.migrate import DOMAINS, READER, role_url

    writer = create_engine(role_url(admin_url, DOMAIN), poolclass=NullPool)
    reader = create_engine(role_url(admin_url, READER), poolclass=NullPool)
    try:
        with writer.connect() as projection, reader.connect() as outboxes:
            done = replay(projection, outboxes, DOMAINS)
            projection.commit()
        return done
    finally:
        writer.dispose()
        reader.dispose()
