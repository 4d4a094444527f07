"""Apply every domain's migrations: roles and schemas first, then each domain's Alembic chain.

Re-running is a no-op. The connecting role (the migration role) owns all DDL; each domain's
role gets data rights on its own schema only.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, create_engine, make_url, text
from sqlalchemy.pool import NullPool

SCHEMAS_DIR = Path(__file__).resolve().parent
# Every folder here with a migration chain is a domain (and functions/<domain>/ its code).
DOMAINS: tuple[str, ...] = tuple(sorted(p.name for p in SCHEMAS_DIR.iterdir() if (p / "versions").is_dir()))
VERSION_SCHEMA = "migrations"  # Alembic's version tables live apart from the domains' data
_LOCK_KEY = 7_300_211  # any constant: serialises concurrent `make migrate` runs


READER = "reader"  # role_name(READER): reads every schema, writes none (make verify)


def role_name(domain: str) -> str:
    return f"ecom_{domain}"


def role_url(admin_url: str, domain: str) -> str:
    """Return `admin_url` with the domain's own role as user (trust or its own password)."""
    url = make_url(admin_url).set(username=role_name(domain), password=None)
    return url.render_as_string(hide_password=False)


def _ensure_role(conn: Connection, role: str) -> None:
    conn.execute(text(f"""
        DO $$ BEGIN
            CREATE ROLE {role} LOGIN;
        EXCEPTION WHEN duplicate_object THEN NULL;
        END $$"""))


def _ensure_role_and_schema(conn: Connection, domain: str) -> None:
    role = role_name(domain)  # identifiers cannot be bound parameters: both come from DOMAINS
    _ensure_role(conn, role)
    conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {domain}"))
    conn.execute(text(f"REVOKE ALL ON SCHEMA {domain} FROM PUBLIC"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA {domain} TO {role}"))
    conn.execute(text(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {domain} "
                      f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}"))
    conn.execute(text(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {domain} "
                      f"GRANT USAGE, SELECT ON SEQUENCES TO {role}"))
    reader = role_name(READER)
    conn.execute(text(f"GRANT USAGE ON SCHEMA {domain} TO {reader}"))
    conn.execute(text(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {domain} GRANT SELECT ON TABLES TO {reader}"))


def _upgrade(conn: Connection, domain: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCHEMAS_DIR / domain))
    config.attributes.update(connection=conn, domain=domain, version_schema=VERSION_SCHEMA)
    command.upgrade(config, "head")


def migrate(admin_url: str, domains: tuple[str, ...] = DOMAINS) -> None:
    """Bring every domain's schema to its newest version."""
    engine = create_engine(admin_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {VERSION_SCHEMA}"))
            conn.execute(text(f"REVOKE ALL ON SCHEMA {VERSION_SCHEMA} FROM PUBLIC"))
            _ensure_role(conn, role_name(READER))
            for domain in domains:
                _ensure_role_and_schema(conn, domain)
                _upgrade(conn, domain)  # new tables get the role's rights by default privileges
                # Tables made before the reader existed: the default privileges came after them.
                conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {domain} TO {role_name(READER)}"))
            conn.commit()
    finally:
        engine.dispose()
