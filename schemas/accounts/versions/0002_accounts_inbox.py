"""accounts: inbox of handled CloudEvents

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE accounts.inbox (
        consumer    text NOT NULL,
        source      text NOT NULL,
        id          text NOT NULL,
        type        text NOT NULL,
        status      text NOT NULL CHECK (status IN ('processed', 'rejected')),
        reason      text NOT NULL DEFAULT '',
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, source, id)
    );
    """)
