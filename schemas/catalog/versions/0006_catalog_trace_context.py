"""catalog: the W3C traceparent of each outbox row (the event's ce-traceparent) and inbox row (its handling)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from alembic import op

from schemas import runtime_tables

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(runtime_tables.trace_context("catalog"))
