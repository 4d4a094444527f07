"""payments: payments, the provider calls made for them (transactions), cancelled orders

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    -- One attempt to pay an order, created before the provider is called (status `processing`)
    -- and settled after. The amount is the order's total as orders gave it, never the client's.
    CREATE TABLE payments.payments (
        id               uuid PRIMARY KEY,
        order_id         uuid NOT NULL,
        user_id          uuid NOT NULL,
        status           text NOT NULL CHECK (status IN ('processing', 'completed', 'failed', 'refunded')),
        amount_minor     bigint NOT NULL CHECK (amount_minor > 0),
        currency         char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        refunded_minor   bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
        method_id        uuid REFERENCES payments.payment_methods (id) ON DELETE SET NULL,
        token            text NOT NULL CHECK (token ~ '^tok_[A-Za-z0-9_]{1,64}$'),
        brand            text,
        last4            char(4) CHECK (last4 ~ '^[0-9]{4}$'),
        failure_code     text,
        failure_message  text,
        idempotency_key  text NOT NULL,
        fingerprint      bytea NOT NULL,
        lease_until      timestamptz,      -- a request is settling it until then
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        completed_at     timestamptz,
        CHECK (status <> 'refunded' OR refunded_minor = amount_minor),
        CHECK (refunded_minor = 0 OR status IN ('completed', 'refunded')),
        CHECK ((status = 'failed') = (failure_code IS NOT NULL)),
        UNIQUE (user_id, idempotency_key)
    );
    -- No order is paid twice: at most one payment per order is being made or was taken.
    CREATE UNIQUE INDEX payments_one_taken_per_order ON payments.payments (order_id)
        WHERE status IN ('processing', 'completed', 'refunded');
    CREATE INDEX payments_order_idx ON payments.payments (order_id, created_at);

    -- Every call to the provider, with what it answered. `provider_key` is the provider-side
    -- idempotency key: a call repeated with it (after a timeout, a crash) is the same call.
    CREATE TABLE payments.transactions (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        payment_id    uuid NOT NULL REFERENCES payments.payments (id),
        kind          text NOT NULL CHECK (kind IN ('authorize', 'capture', 'refund')),
        provider_key  text NOT NULL,
        outcome       text NOT NULL CHECK (outcome IN ('succeeded', 'declined', 'timeout')),
        amount_minor  bigint NOT NULL CHECK (amount_minor > 0),
        provider_ref  text,
        code          text,
        reason        text,
        at            timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX transactions_payment_idx ON payments.transactions (payment_id, id);
    -- A capture or refund succeeds once per provider key, and a payment is captured once.
    CREATE UNIQUE INDEX transactions_once_per_key ON payments.transactions (provider_key)
        WHERE outcome = 'succeeded';
    CREATE UNIQUE INDEX transactions_one_capture ON payments.transactions (payment_id)
        WHERE kind = 'capture' AND outcome = 'succeeded';

    -- Orders cancelled (orders' events): a payment that completes for one is refunded at once.
    CREATE TABLE payments.cancelled_orders (
        order_id      uuid PRIMARY KEY,
        cancelled_at  timestamptz NOT NULL
    );
    """)
