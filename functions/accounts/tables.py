"""The accounts schema's tables, for SQLAlchemy Core (the DDL itself is in schemas/accounts/)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import UUID

from functions.runtime.domains import domain_of

metadata = MetaData(schema=domain_of(__name__))  # the schema is named after its domain

users = Table(
    "users", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("email", Text, nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

profiles = Table(
    "profiles", metadata,
    Column("user_id", UUID(as_uuid=True), ForeignKey("accounts.users.id"), primary_key=True),
    Column("name", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

addresses = Table(
    "addresses", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), ForeignKey("accounts.users.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("line1", Text, nullable=False),
    Column("line2", Text, nullable=False),
    Column("city", Text, nullable=False),
    Column("region", Text, nullable=False),
    Column("postal_code", Text, nullable=False),
    Column("country", String(2), nullable=False),
    Column("phone", Text, nullable=False),
    Column("is_default", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

refresh_tokens = Table(
    "refresh_tokens", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("family_id", UUID(as_uuid=True), nullable=False),  # one login session
    Column("user_id", UUID(as_uuid=True), ForeignKey("accounts.users.id"), nullable=False),
    Column("token_hash", LargeBinary, nullable=False, unique=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),  # rotated: a second use means theft
    Column("revoked_at", DateTime(timezone=True)),
)

password_failures = Table(
    "password_failures", metadata,
    Column("account_key", LargeBinary, primary_key=True),  # model.account_key: no address stored
    Column("purpose", Text, primary_key=True),  # 'login' or 'password_change'
    Column("failures", Integer, nullable=False),
    Column("first_failed", DateTime(timezone=True), nullable=False),
    Column("blocked_until", DateTime(timezone=True)),
)
