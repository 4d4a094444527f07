"""reporting: the sales projection (orders, their lines, payments, stock), built only from events; outbox, inbox, access

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from alembic import op

from schemas import runtime_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Facts, one row per thing the events speak of: each event sets only the columns it knows, so
    # the rows come out the same whatever order the events arrive in (functions/reporting/projection.py).
    # The report adds them up when asked (functions/reporting/reports.py).
    op.execute("""
    CREATE TABLE reporting.orders (
        order_id       uuid PRIMARY KEY,
        user_id        uuid NOT NULL,
        placed_at      timestamptz,
        confirmed_at   timestamptz,
        total_minor    bigint CHECK (total_minor > 0),
        currency       char(3) CHECK (currency ~ '^[A-Z]{3}$'),
        cancelled_at   timestamptz,
        cancel_reason  text,
        refunded_at    timestamptz,
        CHECK ((total_minor IS NULL) = (currency IS NULL))
    );
    CREATE INDEX orders_placed_idx ON reporting.orders (placed_at) WHERE placed_at IS NOT NULL;
    CREATE INDEX orders_confirmed_idx ON reporting.orders (confirmed_at) WHERE confirmed_at IS NOT NULL;
    CREATE INDEX orders_cancelled_idx ON reporting.orders (cancelled_at) WHERE cancelled_at IS NOT NULL;
    CREATE INDEX orders_refunded_idx ON reporting.orders (refunded_at) WHERE refunded_at IS NOT NULL;

    -- An order's lines as order.placed gave them: what confirmed orders sold, by SKU.
    CREATE TABLE reporting.order_lines (
        order_id  uuid NOT NULL,
        sku       text NOT NULL,
        quantity  integer NOT NULL CHECK (quantity BETWEEN 1 AND 99),
        PRIMARY KEY (order_id, sku)
    );

    -- Each payment's outcome (payment.completed or payment.failed).
    CREATE TABLE reporting.payments (
        payment_id    uuid PRIMARY KEY,
        order_id      uuid NOT NULL,
        outcome       text NOT NULL CHECK (outcome IN ('completed', 'failed')),
        amount_minor  bigint CHECK (amount_minor > 0),
        currency      char(3) CHECK (currency ~ '^[A-Z]{3}$'),
        code          text,
        at            timestamptz NOT NULL
    );
    CREATE INDEX payments_at_idx ON reporting.payments (at);

    -- Each SKU's newest stock.changed (the highest version wins, whenever it arrives).
    CREATE TABLE reporting.stock (
        sku         text PRIMARY KEY,
        on_hand     integer NOT NULL CHECK (on_hand >= 0),
        reserved    integer NOT NULL CHECK (reserved >= 0),
        available   integer NOT NULL CHECK (available >= 0),
        version     bigint NOT NULL CHECK (version >= 1),
        changed_at  timestamptz NOT NULL
    );
    CREATE INDEX stock_available_idx ON reporting.stock (available, sku);
    """)
    op.execute(runtime_tables.outbox("reporting"))
    op.execute(runtime_tables.inbox("reporting"))
    op.execute(runtime_tables.audit_log("reporting"))
    op.execute(runtime_tables.access("reporting"))
    op.execute(runtime_tables.idempotency_keys("reporting"))
