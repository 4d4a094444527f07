"""Waking the relay when its outbox gets a row: LISTEN on the relay's own connection, wait on its socket.

Every outbox insert notifies the domain's channel at commit (schemas/runtime_tables.py). The
relay's database connection LISTENs on it, so between batches, when the session is idle, the
notification arrives on that socket by itself: `wait` blocks in `select()` on the socket until it
is readable (a notification, or the connection closing) or the fallback poll interval ends. The
next batch's query reads the notification (pg8000 parses it into `notifications` while reading
that query's answer), so the waiting never reads from the connection itself.

Why a poll interval remains: pg8000 reads through a buffer, so a notification that arrives in the
same read as the end of a query's answer is in the buffer, not on the socket, and `select()` does
not see it. `pending()` catches the ones pg8000 parsed during the last batch; a buffered but
unparsed one is picked up by the next notification or, at the latest, by the poll.

This reaches two pg8000 internals (`_usock`, the socket; `notifications`, a deque), stable across
pg8000 1.x; with another driver `of()` returns None and the relay polls as before.
"""

from __future__ import annotations

import select
import threading
import time
from typing import Any

_SLICE = 0.1  # the longest select() before looking at the stop event again


class Wakeup:
    """The LISTENing connection's socket and its received notifications."""

    def __init__(self, dbapi_connection: Any, sock: Any) -> None:
        self._dbapi = dbapi_connection
        self._sock = sock

    @classmethod
    def of(cls, dbapi_connection: Any) -> Wakeup | None:
        """Return a Wakeup for a pg8000 connection, None for a driver whose socket we cannot watch."""
        sock = getattr(dbapi_connection, "_usock", None)
        if sock is None or not hasattr(dbapi_connection, "notifications") or not hasattr(sock, "fileno"):
            return None
        return cls(dbapi_connection, sock)

    def pending(self) -> bool:
        """Return whether notifications arrived (while the last batch ran); forget them."""
        notifications = self._dbapi.notifications
        if not notifications:
            return False
        notifications.clear()
        return True

    def wait(self, timeout: float, stop: threading.Event) -> bool:
        """Block until the socket is readable, `timeout` s pass or `stop` is set; return whether readable."""
        if self.pending():
            return True
        deadline = time.monotonic() + timeout
        while not stop.is_set():
            pending = getattr(self._sock, "pending", None)  # TLS: a record decrypted already
            if pending is not None and pending() > 0:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                readable, _, _ = select.select([self._sock], [], [], min(remaining, _SLICE))
            except (OSError, ValueError):  # closed under us: the next batch reconnects
                return True
            if readable:
                return True
        return False
