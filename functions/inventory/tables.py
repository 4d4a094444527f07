"""The inventory schema's tables, for SQLAlchemy Core (the DDL itself is in schemas/inventory/)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, DateTime, ForeignKey, Integer, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID

from functions.runtime.domains import domain_of

metadata = MetaData(schema=domain_of(__name__))  # the schema is named after its domain

warehouses = Table(
    "warehouses", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("code", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

stock_levels = Table(
    "stock_levels", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("warehouse_id", UUID(as_uuid=True), ForeignKey("inventory.warehouses.id"), nullable=False),
    Column("sku", Text, nullable=False),
    Column("on_hand", Integer, nullable=False),
    Column("reserved", Integer, nullable=False),
    Column("low_stock_threshold", Integer, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

skus = Table(
    "skus", metadata,
    Column("sku", Text, primary_key=True),
    Column("version", BigInteger, nullable=False),  # the version of its stock.changed events
    Column("in_stock", Boolean),  # what its last availability.changed said; NULL: none yet
)

stock_movements = Table(
    "stock_movements", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("at", DateTime(timezone=True)),
    Column("warehouse_id", UUID(as_uuid=True), ForeignKey("inventory.warehouses.id"), nullable=False),
    Column("sku", Text, nullable=False),
    Column("cause", Text, nullable=False),
    Column("on_hand_delta", Integer, nullable=False),
    Column("reserved_delta", Integer, nullable=False),
    Column("order_id", UUID(as_uuid=True)),
    Column("reason", Text, nullable=False),
    Column("actor", Text),
)

order_decisions = Table(
    "order_decisions", metadata,
    Column("order_id", UUID(as_uuid=True), primary_key=True),
    Column("outcome", Text, nullable=False),
    Column("short", JSONB, nullable=False),
    Column("decided_at", DateTime(timezone=True)),
)

reservations = Table(
    "reservations", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("order_id", UUID(as_uuid=True), ForeignKey("inventory.order_decisions.order_id"), nullable=False),
    Column("sku", Text, nullable=False),
    Column("warehouse_id", UUID(as_uuid=True), ForeignKey("inventory.warehouses.id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("state", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("lapsed_at", DateTime(timezone=True)),  # when reservation.expired was sent for it
    Column("created_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
)
