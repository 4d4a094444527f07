"""HTTP/1.1 plumbing of the local gateway: request bodies, hop-by-hop headers, upstream keep-alive."""

from __future__ import annotations

import http.client
import select
import threading
import time
from collections.abc import Sequence
from email.message import Message
from typing import BinaryIO

# RFC 9110 7.6.1, plus the legacy names proxies still see.
HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "trailers", "transfer-encoding", "upgrade",
})
MAX_BODY = 128 * 1024 * 1024  # nothing we serve takes more; a bigger claim would allocate it up front
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
# Retrying these on a reused connection is safe: the upstream closed it before answering.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


def connection_tokens(value: str | None) -> frozenset[str]:
    """Return the header names a Connection header lists: hop-by-hop too (RFC 9110 7.6.1)."""
    if not value:
        return frozenset()
    return frozenset(t.strip().lower() for t in value.split(","))


def read_body(rfile: BinaryIO, headers: Message) -> bytes:
    """Return a request's body, de-chunked; raise ValueError when malformed, EOFError when cut short."""
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        parts = []
        total = 0
        while size := int(rfile.readline(1024).split(b";", 1)[0].strip(), 16):
            total += size
            if total > MAX_BODY:
                raise ValueError(f"body over {MAX_BODY} bytes")
            parts.append(rfile.read(size))
            if len(parts[-1]) != size or rfile.readline(1024) not in (b"\r\n", b"\n"):
                raise EOFError("chunked body cut short")
        while rfile.readline(65537) not in (b"\r\n", b"\n", b""):
            pass  # trailers: nothing we forward depends on them
        return b"".join(parts)
    length = headers.get("Content-Length")
    n = int(length) if length else 0
    if not 0 <= n <= MAX_BODY:
        raise ValueError(f"Content-Length {length} out of range")
    body = rfile.read(n) if n else b""
    if len(body) != n:
        raise EOFError("body cut short")
    return body


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
        return self.connect(host, port), False

    def connect(self, host: str, port: int) -> http.client.HTTPConnection:
        """Return a new connection (it connects on first use)."""
        return http.client.HTTPConnection(host, port, timeout=self.timeout)

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
        # The retry takes a new connection: the next idle one may be just as stale.
        conn, reused = pool.get(host, port) if attempt == 1 else (pool.connect(host, port), False)
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
