"""The Alembic environment every domain shares: run on the connection `migrate` hands over."""

from __future__ import annotations

from alembic import context


def run_migrations() -> None:
    """Run the domain's pending migrations inside the caller's transaction."""
    attrs = context.config.attributes
    context.configure(
        connection=attrs["connection"],
        version_table=attrs["domain"],  # one version table per domain: migrations.<domain>
        version_table_schema=attrs["version_schema"],
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()
