"""inventory: warehouses, stock levels, the movements ledger, reservations; the runtime's tables

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
    op.execute("""
    CREATE TABLE inventory.warehouses (
        id          uuid PRIMARY KEY,
        code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,31}$'),
        name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        address     text NOT NULL DEFAULT '' CHECK (length(address) <= 500),
        active      boolean NOT NULL DEFAULT true,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
    );

    -- What a warehouse holds of a SKU. The CHECK is what makes a reservation safe: the
    -- conditional UPDATEs may race, the constraint never lets reserved pass on_hand.
    CREATE TABLE inventory.stock_levels (
        id                  uuid PRIMARY KEY,
        warehouse_id        uuid NOT NULL REFERENCES inventory.warehouses (id),
        sku                 text NOT NULL CHECK (sku ~ '^[A-Z0-9][A-Z0-9._-]{0,63}$'),
        on_hand             integer NOT NULL DEFAULT 0,
        reserved            integer NOT NULL DEFAULT 0,
        low_stock_threshold integer NOT NULL DEFAULT 0 CHECK (low_stock_threshold >= 0),
        version             bigint NOT NULL DEFAULT 0,
        updated_at          timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT stock_levels_warehouse_sku_key UNIQUE (warehouse_id, sku),
        CONSTRAINT stock_levels_reserved_within_on_hand CHECK (on_hand >= reserved AND reserved >= 0)
    );
    CREATE INDEX stock_levels_sku_idx ON inventory.stock_levels (sku);

    -- One row per SKU: its change counter (the `version` of stock.changed). Every change of a
    -- SKU's stock bumps it first, which also orders concurrent changes of one SKU.
    CREATE TABLE inventory.skus (
        sku         text PRIMARY KEY,
        version     bigint NOT NULL CHECK (version >= 1)
    );

    -- The append-only ledger: every change of on_hand or reserved, with its cause.
    CREATE TABLE inventory.stock_movements (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at              timestamptz NOT NULL DEFAULT now(),
        warehouse_id    uuid NOT NULL REFERENCES inventory.warehouses (id),
        sku             text NOT NULL,
        cause           text NOT NULL CHECK (cause IN
                            ('receipt', 'adjustment', 'reservation', 'release', 'commit', 'restock')),
        on_hand_delta   integer NOT NULL,
        reserved_delta  integer NOT NULL,
        order_id        uuid,
        reason          text NOT NULL DEFAULT '',
        actor           text,
        CHECK (on_hand_delta <> 0 OR reserved_delta <> 0)
    );
    CREATE INDEX stock_movements_sku_idx ON inventory.stock_movements (sku, id);
    CREATE INDEX stock_movements_warehouse_idx ON inventory.stock_movements (warehouse_id, id);
    CREATE INDEX stock_movements_order_idx ON inventory.stock_movements (order_id) WHERE order_id IS NOT NULL;
    REVOKE UPDATE, DELETE, TRUNCATE ON inventory.stock_movements FROM ecom_inventory;

    -- An order's decision, once: reserving an order again returns it and changes nothing; an
    -- order cancelled before inventory saw it placed is decided `cancelled`: nothing is held.
    CREATE TABLE inventory.order_decisions (
        order_id    uuid PRIMARY KEY,
        outcome     text NOT NULL CHECK (outcome IN ('reserved', 'rejected', 'cancelled')),
        short       jsonb NOT NULL DEFAULT '[]'::jsonb,
        decided_at  timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE inventory.reservations (
        id              uuid PRIMARY KEY,
        order_id        uuid NOT NULL REFERENCES inventory.order_decisions (order_id),
        sku             text NOT NULL,
        warehouse_id    uuid NOT NULL REFERENCES inventory.warehouses (id),
        quantity        integer NOT NULL CHECK (quantity > 0),
        state           text NOT NULL CHECK (state IN ('held', 'released', 'committed', 'expired', 'restocked')),
        expires_at      timestamptz NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        UNIQUE (order_id, sku, warehouse_id)
    );
    CREATE INDEX reservations_due_idx ON inventory.reservations (expires_at) WHERE state = 'held';
    """)
    op.execute(runtime_tables.outbox("inventory"))
    op.execute(runtime_tables.inbox("inventory"))
    op.execute(runtime_tables.audit_log("inventory"))
    op.execute(runtime_tables.access("inventory"))
