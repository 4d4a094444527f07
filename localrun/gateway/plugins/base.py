"""What every plugin shares: the per-request context, Kong-made answers, response header edits.

A plugin is an object built once per declaration in the declarative file (so a global or
service-level rate limit shares its counters across routes, as in Kong), with `access(ctx)`
(before proxying; returning an `Exit` short-circuits the request like `kong.response.exit`)
and `header_filter(ctx, status, headers)` (on every response of a request it was chained for).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, ClassVar

from localrun.gateway.plugins.schema import Field, apply_schema

log = logging.getLogger("localrun.gateway.plugins")

Headers = list[tuple[str, str]]
JSON_TYPE = "application/json; charset=utf-8"


@dataclass(slots=True)
class Exit:
    """A response the gateway makes itself, as `kong.response.exit` / `kong.response.error` do."""

    status: int
    body: bytes = b""
    headers: Headers = field(default_factory=list)
    content_type: str | None = JSON_TYPE
    close: bool = False  # the request stream can no longer be trusted (unreadable body)


def exit_json(status: int, body: Mapping[str, Any], headers: Headers | None = None) -> Exit:
    """`kong.response.exit(status, table)`: lua-cjson's compact encoding (it escapes `/` too)."""
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False).replace("/", "\\/")
    return Exit(status, text.encode(), list(headers or ()))


def exit_error(status: int, message: str, request_id: str, headers: Headers | None = None) -> Exit:
    """`kong.response.error(status, message)`: Kong 3.9's JSON error template, with request_id."""
    # Kong formats the message into the template unescaped; we escape it so the body stays JSON.
    quoted = json.dumps(message, ensure_ascii=False)[1:-1]
    body = f'{{\n  "message":"{quoted}",\n  "request_id":"{request_id}"\n}}'
    return Exit(status, body.encode(), list(headers or ()))


UNEXPECTED = {"message": "An unexpected error occurred"}


class BodyError(ValueError):
    """The request body could not be read (malformed chunking, cut short, too large)."""


class RequestContext:
    """One request as plugins see it, and what they decide for its upstream request."""

    __slots__ = ("method", "path", "query", "headers", "client_ip", "service", "route_id", "route",
                 "request_id", "upstream", "consumer", "credential", "state", "server_addr",
                 "server_port", "connection_id", "connection_requests", "_read_body", "_body")

    def __init__(self, method: str, path: str, query: str, headers: Message, client_ip: str,
                 service: str, route_id: int, request_id: str,
                 read_body: Callable[[], bytes] | None = None, *, server_addr: str = "127.0.0.1",
                 server_port: int = 0, connection_id: int = 0, connection_requests: int = 1,
                 route: str = "") -> None:
        self.method, self.path, self.query, self.headers = method, path, query, headers
        self.client_ip, self.service, self.route_id = client_ip, service, route_id
        self.route = route  # the route's name (its id when unnamed): what Kong's log names it by
        self.request_id = request_id
        # Header edits for the upstream request: lower-cased name -> (name, value, or None to remove).
        self.upstream: dict[str, tuple[str, str | None]] = {}
        self.consumer: Any = None  # set by an auth plugin (kong.client.authenticate)
        self.credential: Any = None
        self.state: dict[str, Any] = {}  # per-plugin request state (kong.ctx.plugin), by plugin name
        self.server_addr, self.server_port = server_addr, server_port
        self.connection_id, self.connection_requests = connection_id, connection_requests
        self._read_body = read_body
        self._body: bytes | None = None

    def header(self, name: str) -> str | None:
        """Return the first value of a request header (case-insensitive), or None.

        kong.request.get_header sees what earlier plugins set or cleared with
        kong.service.request.set_header / clear_header (both edit nginx's request headers).
        """
        edit = self.upstream.get(name.lower())
        if edit is not None:
            return edit[1]
        return self.headers.get(name)

    def set_upstream_header(self, name: str, value: str) -> None:
        """kong.service.request.set_header."""
        self.upstream[name.lower()] = (name, value)

    def clear_upstream_header(self, name: str) -> None:
        """kong.service.request.clear_header."""
        self.upstream[name.lower()] = (name, None)

    @property
    def body_read(self) -> bool:
        """Whether the request body has been read from the client already."""
        return self._body is not None

    def body(self) -> bytes:
        """Return the request body, reading it on first use; raise BodyError when it is unreadable."""
        if self._body is None:
            try:
                self._body = self._read_body() if self._read_body is not None else b""
            except (ValueError, EOFError) as exc:
                raise BodyError(str(exc)) from exc
        return self._body


def get_header(headers: Headers, name: str) -> str | None:
    """Return the first value of a response header, or None."""
    lower = name.lower()
    return next((v for k, v in headers if k.lower() == lower), None)


def set_header(headers: Headers, name: str, value: str) -> None:
    """kong.response.set_header: replace every value of name with value."""
    remove_header(headers, name)
    headers.append((name, value))


def add_header(headers: Headers, name: str, value: str) -> None:
    """kong.response.add_header: one more value of name."""
    headers.append((name, value))


def remove_header(headers: Headers, name: str) -> None:
    """kong.response.clear_header."""
    lower = name.lower()
    headers[:] = [(k, v) for k, v in headers if k.lower() != lower]


def lua_number(value: float) -> str:
    """Render a number as Lua's tostring does (integral floats without `.0`)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True, slots=True)
class Runtime:
    """What plugins may need besides their config: the consumers and the clock."""

    consumers: Any
    clock: Callable[[], float]
    metrics: Any = None  # the node's prometheus.KongMetrics (plugins/config.py makes one per gateway)


class Plugin:
    """Base class: a plugin declaration with its configuration validated and defaulted."""

    name: ClassVar[str]
    priority: ClassVar[int]
    fields: ClassVar[dict[str, Field]] = {}

    def __init__(self, config: Mapping[str, Any] | None, scope: str, where: str, runtime: Runtime) -> None:
        self.scope = scope  # "global", "service:<name>" or "route:<name>"
        self.where = where
        self.config = apply_schema(self.fields, config, where)
        self.runtime = runtime

    @property
    def has_access(self) -> bool:
        """Whether the plugin does anything in the access phase."""
        return type(self).access is not Plugin.access

    @property
    def has_header_filter(self) -> bool:
        """Whether the plugin edits responses."""
        return type(self).header_filter is not Plugin.header_filter

    def access(self, ctx: RequestContext) -> Exit | None:
        """Run before proxying; an Exit answers the request instead of the upstream."""
        return None

    def header_filter(self, ctx: RequestContext, status: int, headers: Headers) -> None:
        """Edit the response headers (from the upstream or made by the gateway)."""

    @property
    def has_body_filter(self) -> bool:
        """Whether the plugin looks at upstream response bodies."""
        return type(self).body_filter is not Plugin.body_filter

    def body_filter(self, ctx: RequestContext, status: int, body: bytes) -> None:
        """See an upstream answer's whole body, once it is read (Kong's body_filter at eof)."""

    @property
    def has_log(self) -> bool:
        """Whether the plugin acts in the log phase."""
        return type(self).log is not Plugin.log

    def log(self, ctx: RequestContext, entry: Any) -> None:
        """Run once the answer is sent (Kong's log phase); `entry` is a prometheus.LogEntry."""

    def __repr__(self) -> str:
        return f"<{self.name} {self.scope}>"


BAD_REQUEST = Exit(400, json.dumps({"message": "Bad request"}).encode(), close=True)


class Chain:
    """The plugins that apply to one route, highest priority first, as Kong runs them."""

    __slots__ = ("plugins", "_access", "_filters", "_bodies", "_logs")

    def __init__(self, plugins: tuple[Plugin, ...]) -> None:
        self.plugins = tuple(sorted(plugins, key=lambda p: -p.priority))
        self._access = tuple(p for p in self.plugins if p.has_access)
        self._filters = tuple(p for p in self.plugins if p.has_header_filter)
        self._bodies = tuple(p for p in self.plugins if p.has_body_filter)
        self._logs = tuple(p for p in self.plugins if p.has_log)

    @property
    def wants_log(self) -> bool:
        """Whether a plugin of the chain acts in the log phase."""
        return bool(self._logs)

    def log(self, ctx: RequestContext, entry: Any) -> None:
        """Run every plugin's log phase, after the answer went out; a failure is logged, never raised."""
        for plugin in self._logs:
            try:
                plugin.log(ctx, entry)
            except Exception:
                log.exception("plugin %s failed in log", plugin.name)

    @property
    def wants_body(self) -> bool:
        """Whether a plugin of the chain has a body_filter."""
        return bool(self._bodies)

    def body_filter(self, ctx: RequestContext, status: int, body: bytes) -> None:
        """Run every plugin's body_filter on an upstream answer's complete body."""
        for plugin in self._bodies:
            try:
                plugin.body_filter(ctx, status, body)
            except Exception:
                log.exception("plugin %s failed in body_filter", plugin.name)

    @property
    def names(self) -> tuple[str, ...]:
        """Plugin names in execution order."""
        return tuple(p.name for p in self.plugins)

    def get(self, name: str) -> Plugin | None:
        """Return the chained plugin called name, if any."""
        return next((p for p in self.plugins if p.name == name), None)

    def access(self, ctx: RequestContext) -> Exit | None:
        """Run the access phase; return the first Exit a plugin answers with, if any."""
        for plugin in self._access:
            try:
                answer = plugin.access(ctx)
            except BodyError:  # the body a plugin asked for could not be read
                return BAD_REQUEST
            except Exception:  # a plugin error answers 500, as Kong's runloop does
                log.exception("plugin %s failed in access", plugin.name)
                return exit_json(500, UNEXPECTED)
            if answer is not None:
                return answer
        return None

    def header_filter(self, ctx: RequestContext, status: int, headers: Headers) -> None:
        """Run every plugin's header_filter on the response headers, in priority order."""
        for plugin in self._filters:
            try:
                plugin.header_filter(ctx, status, headers)
            except Exception:
                log.exception("plugin %s failed in header_filter", plugin.name)
