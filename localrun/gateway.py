"""The local stand-in for Kong: routes by the declarative file, starts functions via the activator.

Answers like Kong does (status codes, messages, Via and latency headers), so clients and tests
see the same gateway on a laptop as in the cluster.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import socketserver
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from localrun.activator import Activator, Lease, StartError
from localrun.kong import Match, Router
from localrun.manifests import load_services
from localrun.upstream import HOP_BY_HOP, Pool, exchange

log = logging.getLogger(__name__)
KONG_VERSION = "3.9.0-local"
VIA = f"1.1 kong/{KONG_VERSION}"
NO_ROUTE = (404, "no Route matched with those values")
BAD_UPSTREAM = (502, "An invalid response was received from the upstream server")
NO_PEER = (503, "failure to get a peer from the ring-balancer")
UPSTREAM_TIMEOUT = (504, "The upstream server is timing out")
_INLINE_BODY = 256 * 1024  # answers up to this size go out in one write with their headers
# Request headers the gateway sets itself instead of passing on.
_OWN = HOP_BY_HOP | {"host", "content-length", "expect", "via", "x-real-ip", "x-forwarded-for",
                     "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port",
                     "x-forwarded-path", "x-forwarded-prefix"}
_RESPONSE_OWN = HOP_BY_HOP | {"content-length", "via"}


class GatewayServer(ThreadingHTTPServer):
    """A threaded HTTP/1.1 server that knows its router, activator and upstream pool."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    block_on_close = False

    def __init__(self, address: tuple[str, int], router: Router, activator: Activator,
                 pool: Pool, upstreams: Mapping[str, tuple[str, int]]) -> None:
        self.router, self.activator, self.pool, self.upstreams = router, activator, pool, upstreams
        self.clients: set[socket.socket] = set()
        self.clients_lock = threading.Lock()
        super().__init__(address, ProxyHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN: a DNS query we never need.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def close_clients(self) -> None:
        """Shut down every open client connection so no keep-alive thread outlives stop()."""
        with self.clients_lock:
            clients, self.clients = self.clients, set()
        for sock in clients:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class ProxyHandler(BaseHTTPRequestHandler):
    """One client connection: each request is routed, its function ensured, and proxied."""

    server: GatewayServer
    protocol_version = "HTTP/1.1"
    server_version = f"kong/{KONG_VERSION}"
    disable_nagle_algorithm = True
    timeout = 60  # idle keep-alive seconds, Kong's default keepalive_timeout

    def setup(self) -> None:
        super().setup()
        with self.server.clients_lock:
            self.server.clients.add(self.connection)

    def finish(self) -> None:
        with self.server.clients_lock:
            self.server.clients.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._proxy()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def _proxy(self) -> None:
        t0 = time.perf_counter()
        path, _, query = self.path.partition("?")
        body = self._read_body()
        if body is None:
            return
        match = self.server.router.match(self.command, path)
        if match is None:
            return self._kong_error(NO_ROUTE, t0)
        lease: Lease | None = None
        address = self.server.upstreams.get(match.ksvc)
        if address is None:
            try:
                lease = self.server.activator.acquire(match.ksvc)
            except StartError as exc:
                log.warning("%s %s: %s", self.command, path, exc)
                return self._kong_error(NO_PEER, t0)
            address = (lease.host, lease.port)
        try:
            self._forward(match, address, path, query, body, t0)
        finally:
            if lease is not None:
                self.server.activator.release(lease)

    def _forward(self, match: Match, address: tuple[str, int], path: str, query: str,
                 body: bytes, t0: float) -> None:
        host, port = address
        target = match.path + ("?" + query if query else "")
        try:
            conn, resp, sent_at = exchange(self.server.pool, host, port, self.command, target,
                                           self._upstream_headers(match, path, body), body)
        except TimeoutError:
            return self._kong_error(UPSTREAM_TIMEOUT, t0)
        except (OSError, http.client.HTTPException) as exc:
            log.warning("%s %s -> %s:%d failed: %r", self.command, path, host, port, exc)
            return self._kong_error(BAD_UPSTREAM, t0)
        timing = ((sent_at - t0) * 1000, (time.perf_counter() - sent_at) * 1000)
        inline, length = b"", resp.length  # read() counts resp.length down: keep the announced size
        # http.client sets length 0 for HEAD, 204 and 304: reading them marks the connection reusable.
        if resp.length is not None and resp.length <= _INLINE_BODY:
            try:  # read before answering, so a failure can still become a Kong error
                inline = resp.read()
            except TimeoutError:
                conn.close()
                return self._kong_error(UPSTREAM_TIMEOUT, t0)
            except (OSError, http.client.HTTPException):
                conn.close()
                return self._kong_error(BAD_UPSTREAM, t0)
        try:
            complete = self._relay(resp, length, inline, timing)
        except (TimeoutError, http.client.HTTPException, OSError):
            # Headers are out: all that is left is to cut the client's connection too.
            self.close_connection = True
            complete = False
        if complete and not resp.will_close:
            self.server.pool.put(host, port, conn)
        else:
            conn.close()

    def _upstream_headers(self, match: Match, path: str, body: bytes) -> list[tuple[str, str]]:
        h = self.headers
        drop = _OWN | _connection_tokens(h.get("Connection"))
        out = [(k, v) for k, v in h.items() if k.lower() not in drop]
        client = self.client_address[0]
        forwarded = h.get("X-Forwarded-For")
        host_header = h.get("Host") or self.server.server_name
        out += [
            ("Host", host_header if match.preserve_host else match.upstream_host),
            ("X-Real-IP", client),
            ("X-Forwarded-For", f"{forwarded}, {client}" if forwarded else client),
            ("X-Forwarded-Proto", "http"),
            ("X-Forwarded-Host", host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header),
            ("X-Forwarded-Port", str(self.server.server_port)),
            ("X-Forwarded-Path", path),
            ("Via", VIA),
        ]
        if match.stripped:
            out.append(("X-Forwarded-Prefix", match.stripped))
        if body or self.command in ("POST", "PUT", "PATCH"):
            out.append(("Content-Length", str(len(body))))
        return out

    def _relay(self, resp: http.client.HTTPResponse, length: int | None, inline: bytes,
               timing: tuple[float, float]) -> bool:
        """Stream resp (or its already read body) to the client; return True when it was read to its end."""
        no_body = self.command == "HEAD" or resp.status in (204, 304) or resp.status < 200
        drop = _RESPONSE_OWN | _connection_tokens(resp.getheader("Connection"))
        if no_body:
            drop = drop - {"content-length"}
        lines = [f"HTTP/1.1 {resp.status} {resp.reason}"]
        lines += [f"{k}: {v}" for k, v in resp.getheaders() if k.lower() not in drop]
        upstream_via = resp.getheader("Via")
        lines.append(f"Via: {upstream_via}, {VIA}" if upstream_via else f"Via: {VIA}")
        lines.append(f"X-Kong-Upstream-Latency: {round(timing[1])}")
        lines.append(f"X-Kong-Proxy-Latency: {round(timing[0])}")
        chunked = False
        if no_body:
            pass
        elif length is not None:
            lines.append(f"Content-Length: {length}")
        elif self.request_version == "HTTP/1.1":
            lines.append("Transfer-Encoding: chunked")
            chunked = True
        else:
            self.close_connection = True  # HTTP/1.0 and no length: the end of the body is the close
        lines.append(self._connection_header())
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            self.wfile.write(head + inline)
            if resp.isclosed():
                return True
            while chunk := resp.read1(65536):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
            return True
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client left; the upstream connection is mid-body
            return False

    def _connection_header(self) -> str:
        if self.close_connection:
            return "Connection: close"
        return "Connection: keep-alive"

    def _read_body(self) -> bytes | None:
        """Return the request body, or None after answering a malformed one."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        try:
            n = int(length) if length else 0
            if n < 0:
                raise ValueError(length)
        except ValueError:
            self.close_connection = True
            self._send_json(400, {"message": "Bad request"})
            return None
        body = self.rfile.read(n) if n else b""
        if len(body) != n:
            self.close_connection = True
            return None
        return body

    def _read_chunked(self) -> bytes | None:
        parts = []
        try:
            while size := int(self.rfile.readline(1024).split(b";", 1)[0].strip(), 16):
                parts.append(self.rfile.read(size))
                self.rfile.readline(1024)
            while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                pass  # trailers: nothing we forward depends on them
        except ValueError:
            self.close_connection = True
            self._send_json(400, {"message": "Bad request"})
            return None
        return b"".join(parts)

    def _kong_error(self, error: tuple[int, str], t0: float) -> None:
        status, message = error
        self._send_json(status, {"message": message}, latency_ms=(time.perf_counter() - t0) * 1000)

    def _send_json(self, status: int, payload: dict[str, str], latency_ms: float | None = None) -> None:
        body = json.dumps(payload).encode()
        lines = [f"HTTP/1.1 {status} {self.responses.get(status, ('Error',))[0]}",
                 "Content-Type: application/json; charset=utf-8", f"Content-Length: {len(body)}",
                 f"Server: {self.server_version}", f"Date: {self.date_time_string()}"]
        if latency_ms is not None:
            lines.append(f"X-Kong-Response-Latency: {round(latency_ms)}")
        lines.append(self._connection_header())
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            self.wfile.write(head if self.command == "HEAD" else head + body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def _connection_tokens(value: str | None) -> frozenset[str]:
    # Headers named in Connection are hop-by-hop too (RFC 9110 7.6.1).
    if not value:
        return frozenset()
    return frozenset(t.strip().lower() for t in value.split(","))


class Gateway:
    """Serves the Kong routes on host:port in a background thread."""

    def __init__(self, router: Router, activator: Activator, host: str = "127.0.0.1", port: int = 8080,
                 *, upstreams: Mapping[str, tuple[str, int]] | None = None, upstream_timeout: float = 60.0) -> None:
        self.router, self.activator, self.host, self.port = router, activator, host, port
        self.upstreams = dict(upstreams or {})
        self.pool = Pool(timeout=upstream_timeout)
        self._server: GatewayServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Return the base URL clients use (the real port once started with port 0)."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        """Bind and serve in a background thread; raise OSError when the port is taken."""
        self._server = GatewayServer((self.host, self.port), self.router, self.activator, self.pool, self.upstreams)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="localrun-gateway", daemon=True)
        self._thread.start()
        log.info("gateway listening on %s", self.url)

    def stop(self) -> None:
        """Stop accepting, cut open client connections, close upstream connections."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server.close_clients()
        self.pool.clear()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None


def serve(repo_root: Path, secrets: Mapping[tuple[str, str], str], host: str = "127.0.0.1", port: int = 8080,
          idle_seconds: float = 60.0) -> tuple[Gateway, Activator]:
    """Start the gateway and activator for the repo's manifests; stop with gateway.stop(); activator.shutdown()."""
    repo_root = Path(repo_root).resolve()
    specs = load_services(repo_root / "knative", secrets)
    router = Router.from_file(repo_root / "knative" / "kong" / "kong.yaml")
    for missing in sorted(router.ksvcs - specs.keys()):
        log.warning("kong routes lead to %s, which no Knative Service manifest defines", missing)
    activator = Activator(specs, repo_root, idle_seconds=idle_seconds)
    gateway = Gateway(router, activator, host, port)
    try:
        gateway.start()
    except BaseException:
        activator.shutdown()
        raise
    # min-scale > 0 functions start in the background so the gateway answers at once.
    threading.Thread(target=activator.prewarm, name="localrun-prewarm", daemon=True).start()
    return gateway, activator
