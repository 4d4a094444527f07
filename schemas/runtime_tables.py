"""The runtime's own tables, written once: each domain's migrations call these for its schema.

The shared runtime (functions/runtime) reads and writes them in every domain the same way, so
their DDL must not drift from one domain to the next. `schema` is always a name from the
domain list, never input: identifiers cannot be bound parameters.
"""

from __future__ import annotations


def _role(schema: str) -> str:
    from schemas.migrate import role_name

    return role_name(schema)


def outbox(schema: str) -> str:
    """Events leave the domain only through here, written in the same transaction as the change."""
    return f"""
    CREATE TABLE {schema}.outbox (
        id          uuid PRIMARY KEY,
        seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        type        text NOT NULL,
        source      text NOT NULL,
        subject     text NOT NULL,
        data        jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        sent_at     timestamptz,
        traceparent text
    );
    CREATE INDEX outbox_pending_idx ON {schema}.outbox (seq) WHERE sent_at IS NULL;
    """ + outbox_notify(schema)


def outbox_notify(schema: str) -> str:
    """Inserting into the outbox wakes the domain's relays at commit, instead of their next poll.

    One notification per statement, empty: it says "look", the relay reads what is pending. It is
    delivered at commit (never for a rolled-back insert), and PostgreSQL folds a transaction's
    identical notifications into one. Idempotent (`OR REPLACE`): the outbox DDL includes it for
    domains created later, and a migration of its own adds it to the outboxes made before it.
    """
    from functions.runtime.outbox import notify_channel

    return f"""
    CREATE OR REPLACE FUNCTION {schema}.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('{notify_channel(schema)}', '');
        RETURN NULL;
    END $$;
    CREATE OR REPLACE TRIGGER outbox_notify AFTER INSERT ON {schema}.outbox
        FOR EACH STATEMENT EXECUTE FUNCTION {schema}.outbox_notify();
    """


def inbox(schema: str) -> str:
    """CloudEvents already handled, per consumer: a redelivery is acknowledged and changes nothing."""
    return f"""
    CREATE TABLE {schema}.inbox (
        consumer    text NOT NULL,
        source      text NOT NULL,
        id          text NOT NULL,
        type        text NOT NULL,
        status      text NOT NULL CHECK (status IN ('processed', 'rejected')),
        reason      text NOT NULL DEFAULT '',
        received_at timestamptz NOT NULL DEFAULT now(),
        traceparent text,
        PRIMARY KEY (consumer, source, id)
    );
    """


def trace_context(schema: str) -> str:
    """The W3C `traceparent` of each outbox row (the span that emitted the event, sent as its
    `ce-traceparent`) and of each inbox row (the span that handled it), nullable: rows written
    before tracing, and events from outside producers, have none (functions/runtime/tracing.py).

    Idempotent (`IF NOT EXISTS`): the outbox and inbox DDL include the columns for domains created
    later, and a migration of each domain adds them to the tables made before it.
    """
    return f"""
    ALTER TABLE {schema}.outbox ADD COLUMN IF NOT EXISTS traceparent text;
    ALTER TABLE {schema}.inbox ADD COLUMN IF NOT EXISTS traceparent text;
    """


def audit_log(schema: str) -> str:
    """Admin actions; append-only: the domain's role may add and read entries, never rewrite them."""
    return f"""
    CREATE TABLE {schema}.audit_log (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at          timestamptz NOT NULL DEFAULT now(),
        actor       text NOT NULL,
        action      text NOT NULL,
        entity_id   uuid NOT NULL,
        changes     jsonb NOT NULL DEFAULT '{{}}'::jsonb,
        request_id  text NOT NULL
    );
    CREATE INDEX audit_log_entity_idx ON {schema}.audit_log (entity_id, at);
    REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.audit_log FROM {_role(schema)};
    """


def access(schema: str) -> str:
    """The domain's copy of who may still act (functions/runtime/access.py): ended sessions, roles."""
    return f"""
    CREATE TABLE {schema}.revoked_sessions (
        session_id  uuid PRIMARY KEY,
        user_id     uuid NOT NULL,
        revoked_at  timestamptz NOT NULL
    );
    CREATE TABLE {schema}.user_access (
        user_id     uuid PRIMARY KEY,
        role        text NOT NULL,
        active      boolean NOT NULL,
        changed_at  timestamptz NOT NULL
    );
    """


def idempotency_keys(schema: str) -> str:
    """Idempotency-Key requests (functions/runtime/idempotency.py): the first answer, replayed."""
    return f"""
    CREATE TABLE {schema}.idempotency_keys (
        owner        uuid NOT NULL,
        key          text NOT NULL,
        fingerprint  bytea NOT NULL,
        status       integer NOT NULL,
        body         jsonb NOT NULL,
        location     text,
        created_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (owner, key)
    );
    CREATE INDEX idempotency_keys_created_idx ON {schema}.idempotency_keys (created_at);
    """
