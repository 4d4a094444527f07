"""orders: carts, orders with item and address snapshots, the status history; outbox, inbox, access

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from alembic import op

from schemas import runtime_tables
from schemas.migrate import role_name

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STATUSES = "'pending', 'awaiting_payment', 'paid', 'confirmed', 'shipped', 'cancelled', 'refunded'"


def upgrade() -> None:
    op.execute(f"""
    CREATE TABLE orders.carts (
        user_id     uuid PRIMARY KEY,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE orders.cart_items (
        user_id          uuid NOT NULL REFERENCES orders.carts (user_id) ON DELETE CASCADE,
        sku              text NOT NULL CHECK (sku ~ '^[A-Z0-9][A-Z0-9._-]{{0,63}}$'),
        name             text NOT NULL,
        quantity         integer NOT NULL CHECK (quantity BETWEEN 1 AND 99),
        unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
        currency         char(3) NOT NULL CHECK (currency ~ '^[A-Z]{{3}}$'),
        added_at         timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, sku)
    );

    CREATE TABLE orders.orders (
        id               uuid PRIMARY KEY,
        user_id          uuid NOT NULL,
        status           text NOT NULL CHECK (status IN ({STATUSES})),
        cancel_reason    text CHECK (cancel_reason IN ('customer', 'admin', 'out_of_stock', 'payment_timeout')),
        currency         char(3) NOT NULL CHECK (currency ~ '^[A-Z]{{3}}$'),
        subtotal_minor   bigint NOT NULL CHECK (subtotal_minor >= 0),
        shipping_minor   bigint NOT NULL CHECK (shipping_minor >= 0),
        tax_minor        bigint NOT NULL CHECK (tax_minor >= 0),
        total_minor      bigint NOT NULL CHECK (total_minor = subtotal_minor + shipping_minor + tax_minor),
        shipping_address jsonb NOT NULL CHECK (jsonb_typeof(shipping_address) = 'object'),
        payable_until    timestamptz,
        placed_at        timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'cancelled') = (cancel_reason IS NOT NULL))
    );
    CREATE INDEX orders_user_idx ON orders.orders (user_id, placed_at DESC, id DESC);
    CREATE INDEX orders_status_idx ON orders.orders (status, placed_at DESC);
    CREATE INDEX orders_placed_idx ON orders.orders (placed_at DESC, id DESC);

    CREATE TABLE orders.order_items (
        order_id         uuid NOT NULL REFERENCES orders.orders (id),
        position         integer NOT NULL CHECK (position >= 0),
        sku              text NOT NULL,
        name             text NOT NULL,
        unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
        quantity         integer NOT NULL CHECK (quantity BETWEEN 1 AND 99),
        PRIMARY KEY (order_id, position)
    );

    -- Append-only: every change of an order's status, with who or what caused it.
    CREATE TABLE orders.order_status_history (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        order_id    uuid NOT NULL REFERENCES orders.orders (id),
        from_status text CHECK (from_status IN ({STATUSES})),
        to_status   text NOT NULL CHECK (to_status IN ({STATUSES})),
        reason      text,
        actor       text NOT NULL,
        at          timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX order_status_history_order_idx ON orders.order_status_history (order_id, id);
    """)
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON orders.order_status_history FROM {role_name('orders')}")
    op.execute(runtime_tables.outbox("orders"))
    op.execute(runtime_tables.inbox("orders"))
    op.execute(runtime_tables.audit_log("orders"))
    op.execute(runtime_tables.access("orders"))
    op.execute(runtime_tables.idempotency_keys("orders"))
