"""catalog: categories can be deactivated (hidden from the storefront with everything below them)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE catalog.categories ADD COLUMN active boolean NOT NULL DEFAULT true")
