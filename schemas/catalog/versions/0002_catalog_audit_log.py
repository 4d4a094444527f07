"""catalog: append-only audit trail of admin actions

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
    CREATE TABLE catalog.audit_log (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at          timestamptz NOT NULL DEFAULT now(),
        actor       text NOT NULL,
        action      text NOT NULL,
        entity_id   uuid NOT NULL,
        changes     jsonb NOT NULL DEFAULT '{}'::jsonb,
        request_id  text NOT NULL
    );
    CREATE INDEX audit_log_entity_idx ON catalog.audit_log (entity_id, at);
    -- Append-only: the function's role may add and read entries, never rewrite history.
    REVOKE UPDATE, DELETE, TRUNCATE ON catalog.audit_log FROM ecom_catalog;
    """)
