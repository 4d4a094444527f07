"""inventory: each SKU's last published availability (in stock or not), so a change that flips it is known

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL: never published (every SKU before this revision): its next change publishes it.
    op.execute("ALTER TABLE inventory.skus ADD COLUMN in_stock boolean")
