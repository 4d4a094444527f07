"""accounts: the W3C traceparent of each outbox row (the event's ce-traceparent) and inbox row (its handling)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from alembic import op

from schemas import runtime_tables

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(runtime_tables.trace_context("accounts"))
