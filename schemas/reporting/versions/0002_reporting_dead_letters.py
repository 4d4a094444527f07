"""reporting: the events the broker dead-lettered, as the dead-letter sink forwards them

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per event and subscriber that gave up on it (an event two Triggers failed is two
    # dead letters): the dashboard's dead letters per hour or day, by type. Attributes only: the
    # event's data stays in the sink's own record (make dead-letters), where it can be replayed.
    op.execute("""
    CREATE TABLE reporting.dead_letters (
        event_source  text NOT NULL,
        event_id      text NOT NULL,
        dest          text NOT NULL,
        event_type    text NOT NULL,
        subject       text,
        code          integer CHECK (code BETWEEN 100 AND 599),
        error         text,
        at            timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_source, event_id, dest)
    );
    CREATE INDEX dead_letters_at_idx ON reporting.dead_letters (at);
    """)

