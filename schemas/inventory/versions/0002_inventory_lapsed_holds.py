"""inventory: a hold past its expiry is told to orders (lapsed_at), not released on its own

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
    # Orders decides whether a lapsed hold ends (order.cancelled: released) or is kept (the order
    # was paid in time: order.confirmed commits it). lapsed_at says reservation.expired was sent.
    op.execute("""
    ALTER TABLE inventory.reservations ADD COLUMN lapsed_at timestamptz;
    DROP INDEX inventory.reservations_due_idx;
    CREATE INDEX reservations_due_idx ON inventory.reservations (expires_at)
        WHERE state = 'held' AND lapsed_at IS NULL;
    """)
