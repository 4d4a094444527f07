"""Idempotency-Key on the POSTs that create orders and payments: the first answer, replayed.

Semantics (Stripe's, and the IETF draft's): the key is required; the same key with the same
request answers what the first request answered (`Idempotent-Replayed: true`); the same key with
another request is a 422 naming `Idempotency-Key`. Keys belong to the caller (`owner`), so one
user's key never meets another's, and are kept at least 24 hours (`KEPT_HOURS`).

Keys older than that are deleted as new ones are stored: about one `remember` in
`PURGE_EVERY` also deletes up to `PURGE_BATCH` expired keys of the domain (the oldest first, on
the `created_at` index), in the same transaction. So the table stays about one day of keys deep
with no scheduled job, and a request pays for the purge rarely and boundedly: the batch is
larger than the keys stored between two purges, so the purge keeps up with any steady rate.

Only a request that succeeded is remembered, in the same transaction as its effect: an answer
that was refused (an empty cart, a 503 from a domain asked on the way) wrote nothing and may be
tried again with the same key. The use case must hold a lock that serialises its owner's
requests (the cart's row, the order's row) before `find`: a concurrent duplicate then waits for
the first to commit and finds its answer, and the two never both take effect.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from flask import Request
from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    insert,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

from functions.runtime.exceptions import InvalidInput
from functions.runtime.jsonio import plain

HEADER = "Idempotency-Key"
KEPT_HOURS = 24
PURGE_EVERY, PURGE_BATCH = 50, 500
_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, no spaces: what clients send (UUIDs, ULIDs)


@dataclass(frozen=True, slots=True)
class Key:
    """A request's key and the fingerprint of what it asks (method, path and body)."""

    value: str
    fingerprint: bytes


@dataclass(frozen=True, slots=True)
class Replay:
    """The first answer to a key: what the request that created it answered."""

    status: int
    body: Any
    location: str | None


@functools.cache
def keys_table(schema: str) -> Table:
    return Table(
        "idempotency_keys", MetaData(schema=schema),
        Column("owner", PgUUID(as_uuid=True), primary_key=True),
        Column("key", Text, primary_key=True),
        Column("fingerprint", LargeBinary, nullable=False),
        Column("status", Integer, nullable=False),
        Column("body", JSONB, nullable=False),
        Column("location", Text),
        Column("created_at", DateTime(timezone=True)),
    )


def request_key(request: Request) -> Key:
    """Return the request's Idempotency-Key and fingerprint; 422 naming the header when absent or malformed."""
    value = request.headers.get(HEADER)
    if value is None:
        raise InvalidInput.of(HEADER, "is required on this request: send a new unique value (a UUID) "
                                      "per intended action, and the same one when retrying it")
    if not _KEY.fullmatch(value):
        raise InvalidInput.of(HEADER, "must be 1 to 255 visible ASCII characters")
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    body = request.get_data(cache=True)
    try:  # the same JSON however it is spaced or ordered is the same request
        digest.update(json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode())
    except ValueError:
        digest.update(body)
    return Key(value, digest.digest())


def find(conn: Connection, schema: str, owner: UUID, key: Key) -> Replay | None:
    """Return the first answer to this key, None when it is new; 422 when it was used for another request."""
    t = keys_table(schema)
    row = conn.execute(select(t.c.fingerprint, t.c.status, t.c.body, t.c.location)
                       .where(t.c.owner == owner, t.c.key == key.value)).first()
    if row is None:
        return None
    if bytes(row.fingerprint) != key.fingerprint:
        raise InvalidInput.of(HEADER, "was used for a different request: a new request needs a new key")
    return Replay(row.status, row.body, row.location)


def remember(conn: Connection, schema: str, owner: UUID, key: Key, status: int, body: Any,
             location: str | None = None) -> None:
    """Store the answer to replay, in the transaction of the effect it answers for."""
    conn.execute(insert(keys_table(schema)).values(
        owner=owner, key=key.value, fingerprint=key.fingerprint, status=status, body=plain(body),
        location=location))
    if random.randrange(PURGE_EVERY) == 0:
        purge_expired(conn, schema)


def purge_expired(conn: Connection, schema: str, limit: int = PURGE_BATCH) -> int:
    """Delete up to `limit` keys older than KEPT_HOURS, the oldest first; return how many.

    SKIP LOCKED: two requests purging at once share the work instead of waiting for each other.
    """
    return conn.execute(_purge_statement(schema), {"limit": limit, "hours": KEPT_HOURS}).rowcount


@functools.cache
def _purge_statement(schema: str) -> Any:
    return text(f"""
        DELETE FROM {schema}.idempotency_keys WHERE (owner, key) IN (
            SELECT owner, key FROM {schema}.idempotency_keys
            WHERE created_at < now() - make_interval(hours => :hours)
            ORDER BY created_at LIMIT :limit FOR UPDATE SKIP LOCKED)
    """)
