"""Health answers: liveness (the process serves) and readiness (the database answers too)."""

from __future__ import annotations

import os

from flask import Response

LIVENESS = "/health/liveness"
READINESS = "/health/readiness"
PATHS = frozenset({"/health", LIVENESS, READINESS})


def _database_answers() -> bool:
    from sqlalchemy import text

    from functions.runtime.db import get_engine

    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # any failure means "not ready"; the reason is in the database's log
        return False


def answer(path: str) -> Response:
    """Return the health answer for `path` (liveness for /health and /health/).

    A function given no database (the platform's own: no DATABASE_URL in its Service) is ready
    when it serves.
    """
    if path.rstrip("/") == READINESS:
        if "DATABASE_URL" not in os.environ or _database_answers():
            return Response('{"status":"ready"}', 200, content_type="application/json")
        return Response('{"status":"unavailable","checks":{"database":"down"}}', 503,
                        content_type="application/json")
    return Response('{"status":"ok"}', 200, content_type="application/json")
