"""Keep-alive connections from the local gateway to function processes, as Kong's upstream pool."""

from __future__ import annotations

import http.client
import select
import threading
import time
from collections.abc import Sequence

# RFC 9110 7.6.1, plus the legacy names proxies still see.
HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "trailers", "transfer-encoding", "upgrade",
})
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
# Retrying these on a reused connection is safe: the upstream closed it before answering.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class Pool:
    """Idle keep-alive HTTPConnections per upstream address, shared by all gateway threads."""

    def __init__(self, timeout: float = 60.0, max_idle: int = 32, max_idle_seconds: float = 1.5) -> None:
        self.timeout = timeout
        self.max_idle = max_idle
        # gunicorn closes a keep-alive connection after 2 s idle; never reuse one that old.
        self.max_idle_seconds = max_idle_seconds
        self._lock = threading.Lock()
        self._idle: dict[tuple[str, int], list[tuple[http.client.HTTPConnection, float]]] = {}

    def get(self, host: str, port: int) -> tuple[http.client.HTTPConnection, bool]:
        """Return (connection, reused): the freshest idle one still open, else a new one."""
        key = (host, port)
        while True:
            with self._lock:
                stack = self._idle.get(key)
                if not stack:
                    break
                conn, since = stack.pop()
            if time.monotonic() - since < self.max_idle_seconds and _still_open(conn):
                return conn, True
            conn.close()
        return http.client.HTTPConnection(host, port, timeout=self.timeout), False

    def put(self, host: str, port: int, conn: http.client.HTTPConnection) -> None:
        """Keep conn for the next request to (host, port), unless enough are idle already."""
        with self._lock:
            stack = self._idle.setdefault((host, port), [])
            if len(stack) < self.max_idle:
                stack.append((conn, time.monotonic()))
                return
        conn.close()

    def clear(self) -> None:
        """Close every idle connection."""
        with self._lock:
            idle, self._idle = self._idle, {}
        for stack in idle.values():
            for conn, _ in stack:
                conn.close()


def _still_open(conn: http.client.HTTPConnection) -> bool:
    # An idle keep-alive socket is readable only when the peer closed it (or broke protocol).
    if conn.sock is None:
        return False
    poller = select.poll()
    poller.register(conn.sock, select.POLLIN)
    return not poller.poll(0)


def exchange(
    pool: Pool, host: str, port: int, method: str, target: str,
    headers: Sequence[tuple[str, str]], body: bytes,
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse, float]:
    """Send one request; return (conn, response, perf_counter at send). Raise OSError/HTTPException.

    A reused connection that turns out stale is retried once on a new one when nothing can have
    been processed: the send itself failed, or the method is idempotent.
    """
    for attempt in (1, 2):
        conn, reused = pool.get(host, port)
        sent = False
        try:
            sent_at = time.perf_counter()
            conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                conn.putheader(name, value)
            # One send for headers and body: no Nagle/delayed-ACK stall on small requests.
            conn.endheaders(body or None)
            sent = True
            return conn, conn.getresponse(), sent_at
        except TimeoutError:
            conn.close()
            raise
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            retry = attempt == 1 and reused and isinstance(exc, _STALE) and (not sent or method in IDEMPOTENT)
            if not retry:
                raise
    raise AssertionError("unreachable")
