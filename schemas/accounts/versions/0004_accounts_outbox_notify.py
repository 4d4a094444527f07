"""accounts: an outbox insert notifies the relays at commit (LISTEN/NOTIFY), so they need not poll

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from alembic import op

from schemas import runtime_tables

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(runtime_tables.outbox_notify("accounts"))
