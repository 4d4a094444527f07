"""The payments schema's tables, for SQLAlchemy Core (the DDL itself is in schemas/payments/)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text
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
