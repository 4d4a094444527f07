"""One client connection of the local gateway: route, run plugins, get a running function, proxy.

Per request: match the route; run its plugin chain's access phase (an answer from a plugin is
sent without calling the function); read the body; lease the function from the activator; proxy;
run the chain's header_filter on the response, then its log phase once the answer is out (the
prometheus plugin counts the request there). Gateway-made answers look like Kong's (JSON,
`Server`, latency and request-id headers); proxied ones carry `Via` instead of `Server`.
"""

from __future__ import annotations

import email.utils
import functools
import http.client
import logging
import os
import re
import socket
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from typing import Protocol

from localrun.gateway.kong import Match
from localrun.gateway.plugins.base import JSON_TYPE, Chain, Exit, RequestContext, exit_error
from localrun.gateway.plugins.prometheus import LogEntry
from localrun.gateway.wire import HOP_BY_HOP, Pool, connection_tokens, exchange, read_body
from localrun.serving.activator import Activator, Lease, StartError

log = logging.getLogger(__name__)
KONG_VERSION = "3.9.0-local"
VIA = f"1.1 kong/{KONG_VERSION}"
NO_ROUTE = (404, "no Route matched with those values")
BAD_REQUEST = (400, "Bad request")
BAD_UPSTREAM = (502, "An invalid response was received from the upstream server")
NO_PEER = (503, "failure to get a peer from the ring-balancer")
UPSTREAM_TIMEOUT = (504, "The upstream server is timing out")
# nginx refuses TRACE and (since 1.21.1) CONNECT itself with 405; Kong's error handler
# (kong/error_handlers.lua, BODIES[405]) renders it with the error template.
NOT_ALLOWED = (405, "Method not allowed")
# Kong's `headers` setting (kong.conf; KONG_HEADERS): which of its own response headers it sends.
DEFAULT_KONG_HEADERS = "server_tokens, latency_tokens, X-Kong-Request-Id"
_HEADER_TOKENS = {
    "server_tokens": ("server", "via"),
    "latency_tokens": ("x-kong-proxy-latency", "x-kong-response-latency", "x-kong-upstream-latency",
                       "x-kong-admin-latency"),
}


def kong_headers(setting: str | None) -> frozenset[str]:
    """Return the lower-cased header names Kong sends for a `headers` setting ("off": none)."""
    names: set[str] = set()
    for token in (setting if setting is not None else DEFAULT_KONG_HEADERS).split(","):
        token = token.strip().lower()
        if token and token != "off":
            names.update(_HEADER_TOKENS.get(token, (token,)))
    return frozenset(names)


DEFAULT_HEADERS = kong_headers(None)
_INLINE_BODY = 256 * 1024  # answers up to this size go out in one write with their headers
_DISCARD_BODY = 64 * 1024  # an unread body up to this size is drained to keep the connection
# nginx's lingering_timeout and (shorter than its 30 s) lingering_time: how long an early answer waits
# for the rest of a body it will not read.
_LINGERING_TIMEOUT, _LINGERING_TIME = 5.0, 5.0
# Request headers the gateway sets itself rather than passing on.
_OWN = HOP_BY_HOP | {"host", "content-length", "expect", "via", "x-real-ip", "x-forwarded-for",
                     "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port",
                     "x-forwarded-path", "x-forwarded-prefix", "x-kong-request-id"}
_RESPONSE_OWN = HOP_BY_HOP | {"content-length", "via"}


_METHOD_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$")  # RFC 9110 token


@functools.lru_cache(maxsize=2)
def _http_date(second: int) -> str:
    return email.utils.formatdate(second, usegmt=True)


class ProxyServer(Protocol):
    """What a handler uses of its server (`server.GatewayServer`; typed here, so neither imports the other)."""

    activator: Activator
    pool: Pool
    upstreams: Mapping[str, tuple[str, int]]
    kong_headers: frozenset[str]
    server_name: str
    server_port: int

    def next_connection_id(self) -> int: ...

    def count_request(self) -> None: ...

    def track(self, sock: socket.socket, open_: bool) -> None: ...


class ProxyHandler(BaseHTTPRequestHandler):
    """Each request is routed, its function leased from the activator, and proxied to it."""

    server: ProxyServer  # type: ignore[assignment]
    protocol_version = "HTTP/1.1"
    server_version = f"kong/{KONG_VERSION}"
    disable_nagle_algorithm = True
    timeout = 60  # idle keep-alive seconds, Kong's default keepalive_timeout

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)
        self._connection_id = self.server.next_connection_id()
        self._requests = 0
        self._expect_continue = False
        self._ctx: RequestContext | None = None
        self._chain: Chain | None = None
        self._request_id = ""
        self._body_left_unread = False
        self._egress = 0

    def finish(self) -> None:
        self.server.track(self.connection, False)
        super().finish()
        if self._body_left_unread:
            self._linger()

    def _linger(self) -> None:
        """nginx's lingering close: after answering early (a 413, say) with the body still coming,
        stop writing and read what the client sends, for a while, before closing. Closing at once
        would reset the connection while the client is still sending, and the client would never
        read the answer (a broken pipe instead of the 413)."""
        sock = self.connection
        try:
            sock.shutdown(socket.SHUT_WR)
            sock.settimeout(_LINGERING_TIMEOUT)
            until = time.monotonic() + _LINGERING_TIME
            while time.monotonic() < until and sock.recv(65536):
                pass
        except OSError:
            pass

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._proxy()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def do_TRACE(self) -> None:
        # nginx answers these before Kong routes or runs a plugin: no CORS, no correlation id.
        self._requests += 1
        self._request_id = os.urandom(16).hex()
        self._ctx = self._chain = None
        self.close_connection = True  # a body, if any, is never read
        self._kong_error(NOT_ALLOWED, time.perf_counter())

    do_CONNECT = do_TRACE

    def __getattr__(self, name: str) -> object:
        # nginx passes any other method token on (QUERY, PROPFIND, ...): Kong then routes it, so
        # a route limited to some methods answers 404 and a function answers its own 405.
        # http.server would answer 501 with an HTML page, which neither of them ever sends.
        if name.startswith("do_") and _METHOD_TOKEN.match(name[3:]):
            return self._proxy
        raise AttributeError(name)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header's value (BaseHTTPRequestHandler's, formatted once a second, not per answer)."""
        return _http_date(int(time.time() if timestamp is None else timestamp))

    def handle_expect_100(self) -> bool:
        # Like nginx, answer `100 Continue` only when the body is read: a plugin that refuses the
        # request (413/417, 401) answers first and the client need not send the body at all.
        self._expect_continue = True
        return True

    def _read_request_body(self) -> bytes:
        if self._expect_continue:
            self._expect_continue = False
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return read_body(self.rfile, self.headers)

    def _proxy(self) -> None:
        t0 = time.perf_counter()
        self._requests += 1
        self.server.count_request()
        self._request_id = os.urandom(16).hex()  # Kong's X-Kong-Request-Id: 32 hex digits
        self._ctx = self._chain = None
        path, _, query = self.path.partition("?")
        server = self.server
        if self.headers.get("Transfer-Encoding") is not None and self.headers.get("Content-Length") is not None:
            # RFC 9112 section 6.1: a message with both is a smuggling attempt; nginx (1.21.1+)
            # refuses it with 400 before routing ("client sent Content-Length and
            # Transfer-Encoding headers at the same time") and closes the connection.
            self.close_connection = True
            self._expect_continue = False
            return self._kong_error(BAD_REQUEST, t0)
        match = server.router.match(self.command, path)
        chain = server.plugins.chain(match) if match is not None and server.plugins is not None else None
        answer: Exit | None = None
        body = b""
        try:
            if chain is None:
                body = self._read_request_body()
            else:
                assert match is not None  # a chain belongs to a matched route
                self._chain = chain
                ctx = self._ctx = RequestContext(
                    self.command, path, query, self.headers, self.client_address[0], match.service,
                    match.route_id, self._request_id, self._read_request_body,
                    server_addr=server.server_name, server_port=server.server_port,
                    connection_id=self._connection_id, connection_requests=self._requests, route=match.route)
                answer = chain.access(ctx)
                if answer is None:
                    body = ctx.body()
                else:
                    self.close_connection = self.close_connection or answer.close
                    self._settle_unread_body(ctx)
        except (ValueError, EOFError):
            self.close_connection = True  # the stream position is unknown: nothing after can be parsed
            self._expect_continue = False
            return self._kong_error(BAD_REQUEST, t0)
        if self._expect_continue:  # the client may or may not send the body we never asked for
            self._expect_continue = False
            self.close_connection = True
        if answer is not None:
            return self._answer(answer, t0)
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
            self._forward(match, address, path, self._ctx.query if self._ctx is not None else query, body, t0)
        finally:
            if lease is not None:
                self.server.activator.release(lease)

    def _forward(self, match: Match, address: tuple[str, int], path: str, query: str,
                 body: bytes, t0: float) -> None:
        host, port = address
        target = match.path + ("?" + query if query else "")
        pool = self.server.pool
        try:
            conn, resp, sent_at = exchange(pool, host, port, self.command, target,
                                           self._upstream_headers(match, path, body), body)
            timing = ((sent_at - t0) * 1000, (time.perf_counter() - sent_at) * 1000)
            length, inline = resp.length, b""  # read() counts resp.length down: keep what was announced
            # Small answers are read before anything is written, so a failure can still become a
            # Kong error; http.client gives HEAD, 204 and 304 length 0, and reading marks them done.
            if length is not None and length <= _INLINE_BODY:
                try:
                    inline = resp.read()
                except BaseException:
                    conn.close()
                    raise
        except TimeoutError:
            return self._kong_error(UPSTREAM_TIMEOUT, t0)
        except (OSError, http.client.HTTPException) as exc:
            log.warning("%s %s -> %s:%d failed: %r", self.command, path, host, port, exc)
            return self._kong_error(BAD_UPSTREAM, t0)
        self._egress = 0
        try:
            complete = self._relay(resp, length, inline, timing)
        except (OSError, http.client.HTTPException):
            self.close_connection = True  # headers are out: cutting the connection is all that is left
            complete = False
        self._log_phase(resp.status, "service", t0, timing[1], self._egress)
        if complete and not resp.will_close:
            pool.put(host, port, conn)
        else:
            conn.close()

    def _settle_unread_body(self, ctx: RequestContext) -> None:
        """After a plugin answered: drain a small unread body to keep the connection, else close it."""
        if ctx.body_read or self.close_connection:
            return
        if self._expect_continue or self.headers.get("Transfer-Encoding"):
            self.close_connection = True  # no body was asked for, or its length is unknown
            return
        length = self.headers.get("Content-Length")
        try:
            n = int(length) if length is not None else 0
        except ValueError:
            n = -1
        if n == 0:
            return
        if 0 < n <= _DISCARD_BODY:
            try:
                if len(self.rfile.read(n)) == n:
                    return
            except OSError:
                pass
        self.close_connection = True
        self._body_left_unread = True

    def _upstream_headers(self, match: Match, path: str, body: bytes) -> list[tuple[str, str]]:
        h = self.headers
        connection = h.get("Connection")
        drop = _OWN | connection_tokens(connection) if connection else _OWN
        edits = self._ctx.upstream if self._ctx is not None else None
        if edits:
            drop = drop | edits.keys()
        out = [(k, v) for k, v in h.items() if k.lower() not in drop]
        if edits:
            out += [(name, value) for name, value in edits.values() if value is not None]
        client = self.client_address[0]
        forwarded = h.get("X-Forwarded-For")
        host = h.get("Host") or self.server.server_name
        out += [
            # Kong's preserve_host false: the ksvc's cluster name, which Kourier routes on.
            ("Host", host if match.preserve_host else match.upstream_host),
            ("X-Real-IP", client),
            ("X-Forwarded-For", f"{forwarded}, {client}" if forwarded else client),
            ("X-Forwarded-Proto", "http"),
            ("X-Forwarded-Host", host if host.endswith("]") else host.rsplit(":", 1)[0]),
            ("X-Forwarded-Port", str(self.server.server_port)),
            ("X-Forwarded-Path", path),
            ("Via", VIA),
            ("X-Kong-Request-Id", self._request_id),
        ]
        if match.stripped:
            out.append(("X-Forwarded-Prefix", match.stripped))
        if body or self.command in ("POST", "PUT", "PATCH"):
            out.append(("Content-Length", str(len(body))))
        return out

    def _relay(self, resp: http.client.HTTPResponse, length: int | None, inline: bytes,
               timing: tuple[float, float]) -> bool:
        """Send resp to the client, streaming what was not read yet; True when it was read to its end."""
        no_body = self.command == "HEAD" or resp.status in (204, 304) or resp.status < 200
        connection = resp.getheader("Connection")
        drop = _RESPONSE_OWN | connection_tokens(connection) if connection else _RESPONSE_OWN
        if no_body:
            drop = drop - {"content-length"}  # a HEAD answer tells the length of the GET one
        headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in drop]
        if self._chain is not None:
            self._chain.header_filter(self._ctx, resp.status, headers)  # type: ignore[arg-type]
        lines = [f"HTTP/1.1 {resp.status} {resp.reason}"]
        lines += [f"{k}: {v}" for k, v in headers]
        own = self.server.kong_headers
        if "via" in own:
            upstream_via = resp.getheader("Via")
            lines.append(f"Via: {upstream_via}, {VIA}" if upstream_via else f"Via: {VIA}")
        if "x-kong-upstream-latency" in own:
            lines.append(f"X-Kong-Upstream-Latency: {round(timing[1])}")
        if "x-kong-proxy-latency" in own:
            lines.append(f"X-Kong-Proxy-Latency: {round(timing[0])}")
        if "x-kong-request-id" in own:
            lines.append(f"X-Kong-Request-Id: {self._request_id}")
        chunked = False
        if not no_body and length is not None:
            lines.append(f"Content-Length: {length}")
        elif not no_body and self.request_version == "HTTP/1.1":
            lines.append("Transfer-Encoding: chunked")
            chunked = True
        elif not no_body:
            self.close_connection = True  # HTTP/1.0 and no length: the close ends the body
        lines.append(self._connection_header())
        if self._chain is not None and self._chain.wants_body and not no_body and resp.isclosed():
            self._chain.body_filter(self._ctx, resp.status, inline)  # type: ignore[arg-type]  # proxy-cache
        try:
            head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + inline
            self.wfile.write(head)
            self._egress = len(head)
            if resp.isclosed():
                return True
            while chunk := resp.read1(65536):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                self._egress += len(chunk)
            # read1 stops at Content-Length without marking the answer done (CPython only does so
            # on a later empty read), and http.client then refuses the pooled connection's next
            # request (ResponseNotReady): finish it here.
            resp.close()
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
            return True
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client left while the upstream was mid-body
            return False

    def _connection_header(self) -> str:
        return "Connection: close" if self.close_connection else "Connection: keep-alive"

    def _kong_error(self, error: tuple[int, str], t0: float) -> None:
        """Answer as Kong does when it generates an error itself (no route, upstream failures)."""
        # Kong 3.9 answers these with kong.response.error / its error handler: the JSON error
        # template of kong/tools/http.lua, {"message":"%s","request_id":"%s"}.
        status, message = error
        self._answer(exit_error(status, message, self._request_id), t0)

    def _answer(self, answer: Exit, t0: float) -> None:
        """Send a gateway-made response, after the plugins' header_filter (CORS, correlation id...)."""
        headers: list[tuple[str, str]] = []
        if answer.body:
            headers.append(("Content-Type", answer.content_type or JSON_TYPE))
        headers += answer.headers
        own = self.server.kong_headers
        if "server" in own:  # Kong's runloop sets it before the plugins' header_filter runs
            headers.append(("Server", self.server_version))
        if self._chain is not None:
            self._chain.header_filter(self._ctx, answer.status, headers)  # type: ignore[arg-type]
        lines = [f"HTTP/1.1 {answer.status} {self.responses.get(answer.status, ('Error',))[0]}"]
        lines += [f"{k}: {v}" for k, v in headers]
        lines.append(f"Content-Length: {len(answer.body)}")
        lines.append(f"Date: {self.date_time_string()}")
        if "x-kong-response-latency" in own:
            lines.append(f"X-Kong-Response-Latency: {round((time.perf_counter() - t0) * 1000)}")
        if "x-kong-request-id" in own:
            lines.append(f"X-Kong-Request-Id: {self._request_id}")
        lines.append(self._connection_header())
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        out = head + (b"" if self.command == "HEAD" else answer.body)
        try:
            self.wfile.write(out)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        self._log_phase(answer.status, "kong", t0, None, len(out))

    def _log_phase(self, status: int, source: str, t0: float, upstream_ms: float | None, egress: int) -> None:
        """Kong's log phase, after the answer went out: the chain's prometheus plugin counts it."""
        chain, ctx = self._chain, self._ctx
        if chain is None or ctx is None or not chain.wants_log:
            return
        ingress = len(self.raw_requestline) + sum(len(k) + len(v) + 4 for k, v in self.headers.items()) + 2
        if ctx.body_read:
            ingress += len(ctx.body())
        chain.log(ctx, LogEntry(status, source, (time.perf_counter() - t0) * 1000, upstream_ms, ingress, egress))
