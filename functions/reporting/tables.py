"""The reporting schema's tables, for SQLAlchemy Core (the DDL itself is in schemas/reporting/).

Facts kept from events, one row per order, payment and SKU; the report adds them up when asked.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table, Text
from sqlalchemy.dialects.postgresql import UUID

from functions.runtime.domains import domain_of

metadata = MetaData(schema=domain_of(__name__))  # the schema is named after its domain

# An order as its events told it: each column is set by one event type only.
orders = Table(
    "orders", metadata,
    Column("order_id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("placed_at", DateTime(timezone=True)),      # order.placed
    Column("confirmed_at", DateTime(timezone=True)),   # order.confirmed, with the total
    Column("total_minor", BigInteger),
    Column("currency", String(3)),
    Column("cancelled_at", DateTime(timezone=True)),   # order.cancelled
    Column("cancel_reason", Text),
    Column("refunded_at", DateTime(timezone=True)),    # order.refunded
)

# An order's lines, from order.placed.
order_lines = Table(
    "order_lines", metadata,
    Column("order_id", UUID(as_uuid=True), primary_key=True),
    Column("sku", Text, primary_key=True),
    Column("quantity", Integer, nullable=False),
)

# Each payment's outcome: payment.completed or payment.failed.
payments = Table(
    "payments", metadata,
    Column("payment_id", UUID(as_uuid=True), primary_key=True),
    Column("order_id", UUID(as_uuid=True), nullable=False),
    Column("outcome", Text, nullable=False),
    Column("amount_minor", BigInteger),
    Column("currency", String(3)),
    Column("code", Text),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Each SKU's newest stock.changed (by version).
stock = Table(
    "stock", metadata,
    Column("sku", Text, primary_key=True),
    Column("on_hand", Integer, nullable=False),
    Column("reserved", Integer, nullable=False),
    Column("available", Integer, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

# Each event the broker gave up on, per subscriber, as the dead-letter sink forwarded it.
dead_letters = Table(
    "dead_letters", metadata,
    Column("event_source", Text, primary_key=True),
    Column("event_id", Text, primary_key=True),
    Column("dest", Text, primary_key=True),
    Column("event_type", Text, nullable=False),
    Column("subject", Text),
    Column("code", Integer),
    Column("error", Text),
    Column("at", DateTime(timezone=True), nullable=False),
)

# What make rebuild-reports empties before it replays the outboxes (the inbox stays: it says
# which deliveries were handled, and replaying them again changes nothing; so do the dead
# letters, which no outbox holds: the sink's forwards are their only source).
PROJECTION = (orders, order_lines, payments, stock)
