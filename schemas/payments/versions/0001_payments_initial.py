"""payments: saved payment methods (provider tokens, never card numbers); outbox, inbox, access

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
    # The checks repeat the API's rules (functions/payments/model.py) so that no other writer can
    # store what the API refuses: last4 is four digits, the token a provider token, never a PAN.
    op.execute("""
    CREATE TABLE payments.payment_methods (
        id          uuid PRIMARY KEY,
        user_id     uuid NOT NULL,
        token       text NOT NULL CHECK (token ~ '^tok_[A-Za-z0-9_]{1,64}$'),
        brand       text NOT NULL CHECK (brand IN ('visa', 'mastercard', 'amex', 'discover')),
        last4       char(4) NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
        exp_month   integer NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
        exp_year    integer NOT NULL CHECK (exp_year BETWEEN 2000 AND 2100),
        created_at  timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX payment_methods_user_idx ON payments.payment_methods (user_id, created_at, id);
    """)
    op.execute(runtime_tables.outbox("payments"))
    op.execute(runtime_tables.inbox("payments"))
    op.execute(runtime_tables.audit_log("payments"))
    op.execute(runtime_tables.access("payments"))
    op.execute(runtime_tables.idempotency_keys("payments"))
