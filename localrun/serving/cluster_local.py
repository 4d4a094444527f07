"""Knative's cluster-local gateway, locally: function-to-function calls routed by their Host header.

In the cluster a function reaches another as `http://<ksvc>.<namespace>.svc.cluster.local`: the
name resolves to Knative's cluster-local gateway, which picks the Knative Service by the Host
header and wakes it through the activator when it is scaled to zero. The call never passes Kong.
Here the same: this server listens on loopback, the launcher gives every function its address as
`CLUSTER_LOCAL_GATEWAY` (functions/runtime/calls.py connects there with the cluster's Host header),
and a request for a function starts it through the activator like any other. A Host that is no
local function is a 404; a function that cannot start is a 503 (the caller's retries and breaker
decide what the user sees), as Knative's gateway answers.
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from localrun.gateway.wire import HOP_BY_HOP, Pool, exchange, read_body
from localrun.serving.activator import Activator, StartError

__all__ = ["ClusterLocalGateway"]
log = logging.getLogger(__name__)
SUFFIX = ".svc.cluster.local"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], activator: Activator, pool: Pool) -> None:
        super().__init__(address, _Handler)
        self.activator, self.pool = activator, pool


class _Handler(BaseHTTPRequestHandler):
    server: _Server  # type: ignore[assignment]
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").split(":", 1)[0].lower()
        try:
            body = read_body(self.rfile, self.headers)
        except (ValueError, EOFError):
            self.close_connection = True
            return self._refuse(400, "malformed request")
        name = host[: -len(SUFFIX)].split(".", 1)[0] if host.endswith(SUFFIX) else ""
        if name not in self.server.activator.specs:
            return self._refuse(404, f"no Knative Service answers to host {host!r}")
        try:
            lease = self.server.activator.acquire(name)
        except StartError as exc:
            log.warning("cluster-local call to %s: %s", name, exc)
            return self._refuse(503, f"{name} could not be started")
        try:
            self._forward(lease.host, lease.port, body)
        finally:
            self.server.activator.release(lease)

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def _forward(self, host: str, port: int, body: bytes) -> None:
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"content-length"}]
        if body or self.command in ("POST", "PUT", "PATCH"):
            headers.append(("Content-Length", str(len(body))))
        pool = self.server.pool
        try:
            conn, resp, _ = exchange(pool, host, port, self.command, self.path, headers, body)
            data = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            log.warning("cluster-local %s %s -> %s:%d failed: %r", self.command, self.path, host, port, exc)
            return self._refuse(502, "the function closed the connection without answering")
        if resp.will_close:
            conn.close()
        else:
            pool.put(host, port, conn)
        out = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP | {"content-length"}]
        self._write(resp.status, resp.reason, out, data)

    def _refuse(self, status: int, detail: str) -> None:
        body = json.dumps({"status": status, "detail": detail}).encode()
        self._write(status, http.HTTPStatus(status).phrase, [("Content-Type", "application/json")], body)

    def _write(self, status: int, reason: str, headers: list[tuple[str, str]], body: bytes) -> None:
        lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers),
                 f"Content-Length: {len(body)}",
                 "Connection: close" if self.close_connection else "Connection: keep-alive"]
        payload = b"" if self.command == "HEAD" else body
        try:
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class ClusterLocalGateway:
    """Serves function-to-function calls on loopback in a background thread."""

    def __init__(self, activator: Activator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.activator, self.host, self.port = activator, host, port
        self.pool = Pool()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        """host:port, what CLUSTER_LOCAL_GATEWAY holds."""
        return f"{self.host}:{self.port}"

    def start(self) -> None:
        self._server = _Server((self.host, self.port), self.activator, self.pool)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="localrun-cluster-local", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self.pool.clear()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
