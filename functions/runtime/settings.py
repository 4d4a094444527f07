"""Settings, read once from the environment (the Knative Service's env, or make dev's)."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    database_url: str
    db_pool_size: int
    db_pool_max_overflow: int
    log_level: str
    service_name: str
    jwt_public_key: str | None
    jwt_issuer: str | None
    jwt_audience: str | None
    jwt_algorithms: tuple[str, ...]
    jwt_private_key: str | None
    access_token_seconds: int
    refresh_token_days: int
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"  # RabbitMQ, for the outbox relay
    events_exchange: str = "ecom.events"  # the topic exchange events are published to
    reservation_ttl_seconds: int = 900  # how long inventory holds an order's stock for its payment


def _pem(name: str) -> str | None:
    """A PEM text, given inline (NAME) or as a file (NAME_FILE)."""
    if key := os.environ.get(name):
        return key
    if path := os.environ.get(f"{name}_FILE"):
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    return None


@functools.cache
def get_settings() -> Settings:
    """Return the process's settings; defaults work on a laptop running `make dev`."""
    env = os.environ.get
    return Settings(
        database_url=env("DATABASE_URL", "postgresql+pg8000://postgres@127.0.0.1:5432/postgres"),
        db_pool_size=int(env("DB_POOL_SIZE", "4")),
        db_pool_max_overflow=int(env("DB_POOL_MAX_OVERFLOW", "4")),
        log_level=env("LOG_LEVEL", "INFO").upper(),
        service_name=env("K_SERVICE", env("FUNCTION_TARGET", "function")),
        jwt_public_key=_pem("JWT_PUBLIC_KEY"),
        jwt_issuer=env("JWT_ISSUER") or None,
        jwt_audience=env("JWT_AUDIENCE") or None,
        jwt_algorithms=tuple(a.strip() for a in env("JWT_ALGORITHMS", "RS256").split(",") if a.strip()),
        jwt_private_key=_pem("JWT_PRIVATE_KEY"),  # only the functions that issue tokens have it
        access_token_seconds=int(env("ACCESS_TOKEN_SECONDS", "900")),
        refresh_token_days=int(env("REFRESH_TOKEN_DAYS", "30")),
        amqp_url=env("AMQP_URL") or Settings.amqp_url,
        events_exchange=env("EVENTS_EXCHANGE") or Settings.events_exchange,
        reservation_ttl_seconds=int(env("RESERVATION_TTL_SECONDS") or Settings.reservation_ttl_seconds),
    )


def reset_settings() -> None:
    """Forget the cached settings (tests that change the environment call this)."""
    get_settings.cache_clear()
