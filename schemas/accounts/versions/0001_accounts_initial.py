"""accounts: users, profiles, addresses, refresh tokens, audit trail, outbox

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from alembic import op

from schemas import runtime_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE accounts.users (
        id            uuid PRIMARY KEY,
        email         text NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
        password_hash text NOT NULL,
        role          text NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'admin')),
        active        boolean NOT NULL DEFAULT true,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE accounts.profiles (
        user_id     uuid PRIMARY KEY REFERENCES accounts.users (id) ON DELETE CASCADE,
        name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
        updated_at  timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE accounts.addresses (
        id          uuid PRIMARY KEY,
        user_id     uuid NOT NULL REFERENCES accounts.users (id) ON DELETE CASCADE,
        name        text NOT NULL,
        line1       text NOT NULL,
        line2       text NOT NULL DEFAULT '',
        city        text NOT NULL,
        region      text NOT NULL DEFAULT '',
        postal_code text NOT NULL,
        country     char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
        phone       text NOT NULL DEFAULT '',
        is_default  boolean NOT NULL DEFAULT false,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX addresses_user_idx ON accounts.addresses (user_id, created_at);
    -- At most one default address per user, whatever the races between requests.
    CREATE UNIQUE INDEX addresses_one_default_idx ON accounts.addresses (user_id) WHERE is_default;

    -- Refresh tokens are stored hashed; a family is one login session across rotations.
    CREATE TABLE accounts.refresh_tokens (
        id          uuid PRIMARY KEY,
        family_id   uuid NOT NULL,
        user_id     uuid NOT NULL REFERENCES accounts.users (id) ON DELETE CASCADE,
        token_hash  bytea NOT NULL UNIQUE,
        issued_at   timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL,
        used_at     timestamptz,
        revoked_at  timestamptz
    );
    CREATE INDEX refresh_tokens_family_idx ON accounts.refresh_tokens (family_id);
    CREATE INDEX refresh_tokens_live_idx ON accounts.refresh_tokens (user_id) WHERE revoked_at IS NULL;
    """)
    op.execute(runtime_tables.audit_log("accounts"))
    op.execute(runtime_tables.outbox("accounts"))
