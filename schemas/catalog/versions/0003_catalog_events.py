"""catalog: outbox and inbox; availability remembers the stock version it reflects

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from alembic import op

from schemas import runtime_tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(runtime_tables.outbox("catalog"))
    op.execute(runtime_tables.inbox("catalog"))
    # Stock events may arrive out of order: only a newer version moves the flag.
    op.execute("ALTER TABLE catalog.availability ADD COLUMN version bigint NOT NULL DEFAULT 0")
