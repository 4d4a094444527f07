"""accounts: revoked sessions and current roles (the copy every domain keeps); login throttling

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from alembic import op

from schemas import runtime_tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(runtime_tables.access("accounts"))
    # Failed password checks per account (the SHA-256 of the normalised email, so unknown
    # emails are throttled alike and the table holds no address): independent of the source IP.
    op.execute("""
    CREATE TABLE accounts.password_failures (
        account_key   bytea NOT NULL,
        purpose       text NOT NULL CHECK (purpose IN ('login', 'password_change')),
        failures      integer NOT NULL DEFAULT 0,
        first_failed  timestamptz NOT NULL DEFAULT now(),
        blocked_until timestamptz,
        PRIMARY KEY (account_key, purpose)
    );
    """)
