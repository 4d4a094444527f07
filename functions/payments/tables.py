"""The payments schema's tables, for SQLAlchemy Core (the DDL itself is in schemas/payments/)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Integer, LargeBinary, MetaData, String, Table, Text
from sqlalchemy.dialects.postgresql import UUID

from functions.runtime.domains import domain_of

metadata = MetaData(schema=domain_of(__name__))  # the schema is named after its domain

# A saved card as the provider knows it: its token and what a shopper needs to recognise it.
# Never the card number (model.py).
payment_methods = Table(
    "payment_methods", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("token", Text, nullable=False),
    Column("brand", Text, nullable=False),
    Column("last4", String(4), nullable=False),
    Column("exp_month", Integer, nullable=False),
    Column("exp_year", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True)),
)

# One attempt to pay an order (schemas/payments/versions/0002): `processing` while the provider
# is asked, then `completed` or `failed`; `refunded` once all of it went back.
payments = Table(
    "payments", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("order_id", UUID(as_uuid=True), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column("status", Text, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("refunded_minor", BigInteger, nullable=False),
    Column("method_id", UUID(as_uuid=True)),
    Column("token", Text, nullable=False),
    Column("brand", Text),
    Column("last4", String(4)),
    Column("failure_code", Text),
    Column("failure_message", Text),
    Column("idempotency_key", Text, nullable=False),
    Column("fingerprint", LargeBinary, nullable=False),
    Column("lease_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
    Column("completed_at", DateTime(timezone=True)),
)

# Every call made to the provider for a payment, with its answer.
transactions = Table(
    "transactions", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("payment_id", UUID(as_uuid=True), nullable=False),
    Column("kind", Text, nullable=False),
    Column("provider_key", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("provider_ref", Text),
    Column("code", Text),
    Column("reason", Text),
    Column("at", DateTime(timezone=True)),
)

# Orders that orders cancelled (com.ecom.orders.order.cancelled): not to be paid any more.
cancelled_orders = Table(
    "cancelled_orders", metadata,
    Column("order_id", UUID(as_uuid=True), primary_key=True),
    Column("cancelled_at", DateTime(timezone=True), nullable=False),
)
