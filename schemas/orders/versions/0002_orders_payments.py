"""orders: the payment that paid an order, and the last declined attempt

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
    # payment_id: the completed payment (payments' event) that moved the order to paid; one only.
    # last_payment_failure: the latest decline while awaiting payment ({payment_id, code, message, at}).
    op.execute("""
    ALTER TABLE orders.orders
        ADD COLUMN payment_id uuid UNIQUE,
        ADD COLUMN last_payment_failure jsonb,
        ADD CONSTRAINT orders_paid_by_a_payment
            CHECK (status NOT IN ('paid', 'confirmed', 'shipped') OR payment_id IS NOT NULL);
    """)
