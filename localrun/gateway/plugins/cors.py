"""Kong's cors plugin (priority 2000): preflights answered by the gateway, headers on the rest.

Origins are matched as Kong 3.9 does: `*` (alone or among others) allows all; an entry made only
of `[A-Za-z0-9.:/-]` is a literal compared with the request's normalised origin (scheme://host
[:port], default ports dropped); anything else is a regex, anchored at both ends, matched against
the origin's host when the entry has no `:` and against scheme://host[:port] otherwise. With one
literal origin the header is that origin whatever the request sends (as Kong does).
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple
from urllib.parse import urlsplit

from localrun.gateway.plugins.base import (
    Exit,
    Headers,
    Plugin,
    RequestContext,
    add_header,
    get_header,
    lua_number,
    remove_header,
    set_header,
)
from localrun.gateway.plugins.schema import Field

METHODS = ("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT")
_LITERAL = re.compile(r"^[A-Za-z0-9.:/-]+$")
ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"


def _origin_problem(value: list[str]) -> str | None:
    for origin in value:
        if origin == "*" or _LITERAL.match(origin):
            continue
        try:
            re.compile(origin)
        except re.error:
            return f"'{origin}' is not a valid regex"
    return None


class Origin(NamedTuple):
    """An origin as Kong's normalize_origin returns it."""

    domain: str
    host: str


@functools.lru_cache(maxsize=10_000)  # Kong keeps a per-worker LRU of 10e3 parsed origins
def normalize_origin(origin: str) -> Origin:
    """Return (scheme://host[:port] with default ports dropped, host), as Kong computes them."""
    try:
        parts = urlsplit(origin)
        host, port = parts.hostname, parts.port
    except ValueError:
        return Origin(origin, origin)
    if not parts.netloc or not host:
        return Origin(origin, origin)
    if (parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443):
        port = None
    scheme = parts.scheme + "://" if parts.scheme else ""
    return Origin(scheme + host + (f":{port}" if port is not None else ""), host)


class _Matcher(NamedTuple):
    regex: re.Pattern[str] | None
    domain: str
    by_host: bool

    def matches(self, origin: Origin) -> bool:
        if self.regex is None:
            return origin.domain == self.domain
        return self.regex.match(origin.host if self.by_host else origin.domain) is not None


def _matcher(entry: str) -> _Matcher:
    if _LITERAL.match(entry):
        return _Matcher(None, normalize_origin(entry).domain, ":" not in entry)
    # Kong anchors the end (adding `$`) and drops a leading `^`; ngx.re's "a" flag anchors the start.
    pattern = entry if entry.endswith("$") else entry + "$"
    pattern = pattern[1:] if pattern.startswith("^") else pattern
    return _Matcher(re.compile(pattern), "", ":" not in pattern)


class Cors(Plugin):
    """CORS as Kong 3.9 does it (no `allow_origin_absent`: that came in 3.10)."""

    name = "cors"
    priority = 2000
    fields = {
        "origins": Field("array", check=_origin_problem),
        "headers": Field("array"),
        "exposed_headers": Field("array"),
        "methods": Field("array", default=list(METHODS), elements_one_of=METHODS),
        "max_age": Field("number"),
        "credentials": Field("boolean", default=False),
        "private_network": Field("boolean", default=False),
        "preflight_continue": Field("boolean", default=False),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        c = self.config
        origins: list[str] = c["origins"] or []
        self.allow_all = not origins or "*" in origins
        # One literal origin: sent as is. One regex, or several: matched against the request.
        self.single = origins[0] if len(origins) == 1 and _LITERAL.match(origins[0]) else None
        self.vary_always = len(origins) == 1
        self.matchers = () if self.allow_all else tuple(_matcher(o) for o in origins)
        self.allow_headers = ",".join(c["headers"]) if c["headers"] else None
        self.allow_methods = ",".join(c["methods"]) if c["methods"] else ",".join(METHODS)
        self.max_age = lua_number(c["max_age"]) if c["max_age"] is not None else None
        self.expose = ",".join(c["exposed_headers"]) if c["exposed_headers"] else None
        self.credentials: bool = c["credentials"]
        self.private_network: bool = c["private_network"]
        self.preflight_continue: bool = c["preflight_continue"]

    def access(self, ctx: RequestContext) -> Exit | None:
        if (ctx.method != "OPTIONS" or ctx.header("Origin") is None
                or ctx.header("Access-Control-Request-Method") is None):
            return None
        ctx.state[self.name] = "preflight"  # no response headers from header_filter for it
        if self.preflight_continue:
            return None
        headers: Headers = []
        allow_all = self._origin(ctx, headers, in_filter=False)
        self._credentials(ctx, headers, allow_all, in_filter=False)
        if self.allow_headers is not None:
            headers.append(("Access-Control-Allow-Headers", self.allow_headers))
        elif (requested := ctx.header("Access-Control-Request-Headers")) is not None:
            headers.append(("Access-Control-Allow-Headers", requested))
        headers.append(("Access-Control-Allow-Methods", self.allow_methods))
        if self.max_age is not None:
            headers.append(("Access-Control-Max-Age", self.max_age))
        if self.private_network and ctx.header("Access-Control-Request-Private-Network") == "true":
            headers.append(("Access-Control-Allow-Private-Network", "true"))
        return Exit(200, b"", headers, content_type=None)

    def header_filter(self, ctx: RequestContext, status: int, headers: Headers) -> None:
        if ctx.state.get(self.name) == "preflight":
            return
        allow_all = self._origin(ctx, headers, in_filter=True)
        self._credentials(ctx, headers, allow_all, in_filter=True)
        if self.expose is not None:
            set_header(headers, "Access-Control-Expose-Headers", self.expose)

    def _origin(self, ctx: RequestContext, headers: Headers, in_filter: bool) -> bool:
        if self.allow_all:
            set_header(headers, ACAO, "*")
            return True
        if self.vary_always:
            _vary(headers, in_filter)
        if self.single is not None:
            set_header(headers, ACAO, self.single)
            return False
        requested = ctx.header("Origin")
        if requested:  # Kong 3.9 fails on an empty Origin with several origins; we just don't match
            origin = normalize_origin(requested)
            for matcher in self.matchers:
                if matcher.matches(origin):
                    set_header(headers, ACAO, origin.domain)
                    _vary(headers, in_filter)
                    return False
        remove_header(headers, ACAO)
        return False

    def _credentials(self, ctx: RequestContext, headers: Headers, allow_all: bool, in_filter: bool) -> None:
        if not self.credentials:
            return
        if not allow_all:
            set_header(headers, ACAC, "true")
            return
        # `*` cannot go with credentials: Kong echoes the request's origin instead.
        requested = ctx.header("Origin")
        if requested is not None:
            set_header(headers, ACAO, requested)
            set_header(headers, ACAC, "true")
            _vary(headers, in_filter)


def _vary(headers: Headers, in_filter: bool) -> None:
    # On its own answers Kong sets `Vary: Origin`; on the upstream's it adds to the upstream's Vary.
    if not in_filter:
        set_header(headers, "Vary", "Origin")
        return
    present = get_header(headers, "Vary")
    if present is None or "origin" not in present.lower():
        add_header(headers, "Vary", "Origin")
