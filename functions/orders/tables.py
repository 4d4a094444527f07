"""The orders schema's tables, for SQLAlchemy Core (the DDL itself is in schemas/orders/)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID

from functions.runtime.domains import domain_of

metadata = MetaData(schema=domain_of(__name__))  # the schema is named after its domain

carts = Table(
    "carts", metadata,
    Column("user_id", UUID(as_uuid=True), primary_key=True),  # one cart per user
    Column("created_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
)

cart_items = Table(
    "cart_items", metadata,
    Column("user_id", UUID(as_uuid=True), ForeignKey("orders.carts.user_id"), primary_key=True),
    Column("sku", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_minor", BigInteger, nullable=False),  # as catalog last said
    Column("currency", String(3), nullable=False),
    Column("added_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
)

orders = Table(
    "orders", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("status", Text, nullable=False),
    Column("cancel_reason", Text),
    Column("currency", String(3), nullable=False),
    Column("subtotal_minor", BigInteger, nullable=False),
    Column("shipping_minor", BigInteger, nullable=False),
    Column("tax_minor", BigInteger, nullable=False),
    Column("total_minor", BigInteger, nullable=False),
    Column("shipping_address", JSONB, nullable=False),  # a snapshot: later edits do not change it
    Column("payable_until", DateTime(timezone=True)),  # when the stock reservation lapses
    Column("payment_id", UUID(as_uuid=True)),  # the completed payment that paid it
    Column("last_payment_failure", JSONB),  # the latest decline while awaiting payment
    Column("placed_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
)

order_items = Table(
    "order_items", metadata,
    Column("order_id", UUID(as_uuid=True), ForeignKey("orders.orders.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("sku", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("unit_price_minor", BigInteger, nullable=False),
    Column("quantity", Integer, nullable=False),
)

order_status_history = Table(
    "order_status_history", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("order_id", UUID(as_uuid=True), ForeignKey("orders.orders.id"), nullable=False),
    Column("from_status", Text),  # null for the first entry
    Column("to_status", Text, nullable=False),
    Column("reason", Text),
    Column("actor", Text, nullable=False),  # a user id, or the event that caused it
    Column("at", DateTime(timezone=True)),
)
