"""accounts: inbox of handled CloudEvents

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from alembic import op

from schemas import runtime_tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(runtime_tables.inbox("accounts"))
