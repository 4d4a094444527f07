"""The `localbroker` schema: tables, the publish function, topic patterns as regexes, connections."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

import pg8000.exceptions
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from localrun.broker.message import BrokerEvent

SCHEMA = "localbroker"
_LOCK_KEY = 7_300_212  # serialises concurrent schema setups
DB_ERRORS = (DBAPIError, pg8000.exceptions.InterfaceError, OSError)

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC;
CREATE TABLE IF NOT EXISTS {SCHEMA}.queues (
    name text PRIMARY KEY,
    declared_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS {SCHEMA}.bindings (
    exchange text NOT NULL,
    queue text NOT NULL REFERENCES {SCHEMA}.queues ON DELETE CASCADE,
    pattern text NOT NULL,
    regex text NOT NULL,
    PRIMARY KEY (exchange, queue, pattern));
CREATE TABLE IF NOT EXISTS {SCHEMA}.messages (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    exchange text NOT NULL,
    routing_key text NOT NULL,
    attributes jsonb NOT NULL,
    data bytea NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS {SCHEMA}.deliveries (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue text NOT NULL,
    message_id bigint NOT NULL REFERENCES {SCHEMA}.messages ON DELETE CASCADE,
    state text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    settled_at timestamptz);
CREATE INDEX IF NOT EXISTS deliveries_pending ON {SCHEMA}.deliveries (queue, id) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS deliveries_message ON {SCHEMA}.deliveries (message_id);
CREATE OR REPLACE FUNCTION {SCHEMA}.publish(p_exchange text, p_routing_key text, p_attributes jsonb,
                                           p_data bytea, p_mandatory boolean DEFAULT false)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = {SCHEMA}, pg_temp AS $$
DECLARE
    message bigint;
    routed integer;
BEGIN
    INSERT INTO messages (exchange, routing_key, attributes, data)
    VALUES (p_exchange, p_routing_key, p_attributes, p_data) RETURNING id INTO message;
    IF p_exchange = '' THEN
        INSERT INTO deliveries (queue, message_id) SELECT name, message FROM queues WHERE name = p_routing_key;
    ELSE
        INSERT INTO deliveries (queue, message_id)
        SELECT DISTINCT queue, message FROM bindings WHERE exchange = p_exchange AND p_routing_key ~ regex;
    END IF;
    GET DIAGNOSTICS routed = ROW_COUNT;
    -- wakes the queues' consumers at commit (consumer.py); the name is queue_channel()'s
    PERFORM pg_notify('localbroker_' || left(md5(queue), 24), '')
    FROM deliveries WHERE message_id = message;
    IF routed = 0 THEN
        DELETE FROM messages WHERE id = message;
        IF p_mandatory THEN
            RAISE EXCEPTION 'unroutable: no queue for % on exchange "%"', p_routing_key, p_exchange
                USING ERRCODE = 'P0002';
        END IF;
    END IF;
    RETURN routed;
END $$;
REVOKE ALL ON FUNCTION {SCHEMA}.publish(text, text, jsonb, bytea, boolean) FROM PUBLIC;
"""


def queue_channel(queue: str) -> str:
    """Return the LISTEN/NOTIFY channel `publish` notifies for a queue (a queue name may be too long)."""
    return "localbroker_" + hashlib.md5(queue.encode()).hexdigest()[:24]


def topic_regex(pattern: str) -> str:
    """Return the POSIX regex of an AMQP topic pattern (`*` one word, `#` zero or more words)."""
    if pattern == "#":
        return "^.*$"
    regex, separated = "", False
    for index, word in enumerate(pattern.split(".")):
        if word == "#":
            regex += r"(?:[^.]+\.)*" if index == 0 else r"(?:\.[^.]+)*"
            separated = index != 0
            continue
        regex += (r"\." if separated else "") + (r"[^.]+" if word == "*" else re.escape(word))
        separated = True
    return f"^{regex}$"


def ensure_schema(conn: Any, roles: Sequence[str] = ()) -> None:
    """Create the schema, tables and publish function (idempotent); let `roles` publish."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    for statement in _statements(DDL):
        conn.exec_driver_sql(statement)
    for role in roles:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar()
        if exists and re.fullmatch(r"[a-z_][a-z0-9_]*", role):
            conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {SCHEMA} TO {role}")
            conn.exec_driver_sql(
                f"GRANT EXECUTE ON FUNCTION {SCHEMA}.publish(text, text, jsonb, bytea, boolean) TO {role}")


def _statements(ddl: str) -> list[str]:
    """Split the DDL on `;` at line ends outside the $$ function body."""
    out, current, in_body = [], [], False
    for line in ddl.strip().splitlines():
        current.append(line)
        if line.count("$$") % 2:
            in_body = not in_body
        if not in_body and line.rstrip().endswith(";"):
            out.append("\n".join(current).rstrip().rstrip(";"))
            current = []
    return [s for s in out if s.strip()]


def domain_roles() -> list[str]:
    """Return the domain roles (the relays publish as them)."""
    from schemas.migrate import DOMAINS, role_name

    return [role_name(d) for d in DOMAINS]


def engine(url: str, name: str, **options: Any) -> Engine:
    from functions.runtime.db import tune_pg8000

    made = create_engine(url, connect_args={"application_name": name[:63], "timeout": 10}, **options)
    tune_pg8000(made)
    return made


def publish_message(conn: Any, exchange: str, routing_key: str, event: BrokerEvent, mandatory: bool = False) -> int:
    return conn.execute(text(f"SELECT {SCHEMA}.publish(:ex, :key, CAST(:attributes AS jsonb), :data, :mandatory)"), {
        "ex": exchange, "key": routing_key, "attributes": json.dumps(event.attributes),
        "data": bytes(event.data), "mandatory": mandatory}).scalar()


def event_from_row(attributes: Any, data: Any) -> BrokerEvent:
    if isinstance(attributes, str):
        attributes = json.loads(attributes)
    return BrokerEvent({k: str(v) for k, v in attributes.items()}, bytes(data or b""))


