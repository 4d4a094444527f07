"""catalog: outbox and inbox; availability remembers the stock version it reflects

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE catalog.outbox (
        id          uuid PRIMARY KEY,
        seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        type        text NOT NULL,
        source      text NOT NULL,
        subject     text NOT NULL,
        data        jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        sent_at     timestamptz
    );
    CREATE INDEX outbox_pending_idx ON catalog.outbox (seq) WHERE sent_at IS NULL;

    -- CloudEvents already handled, per consumer: a redelivery is acknowledged and changes nothing.
    CREATE TABLE catalog.inbox (
        consumer    text NOT NULL,
        source      text NOT NULL,
        id          text NOT NULL,
        type        text NOT NULL,
        status      text NOT NULL CHECK (status IN ('processed', 'rejected')),
        reason      text NOT NULL DEFAULT '',
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, source, id)
    );

    -- Stock events may arrive out of order: only a newer version moves the flag.
    ALTER TABLE catalog.availability ADD COLUMN version bigint NOT NULL DEFAULT 0;
    """)
