"""Kong's proxy-cache plugin (priority 100), memory strategy: reuse cacheable answers for a while.

Reproduced from Kong 3.9 (kong/plugins/proxy-cache/handler.lua, schema.lua, cache_key.lua):
- config: strategy (memory only), response_code (default 200, 301, 404), request_method
  (GET, HEAD), content_type (text/plain, application/json; `type/*` and `*/*` wildcards, media
  type parameters compared as a set), cache_ttl (300), cache_control (false), ignore_uri_case,
  storage_ttl, vary_query_params, vary_headers, response_headers (age, X-Cache-Status,
  X-Cache-Key: each may be turned off; a `Kong-Debug` request header shows them anyway), memory
  (dictionary_name, accepted);
- a request is cacheable when its method is listed and, with cache_control, it carries no
  `Cache-Control: no-store / no-cache` and no Authorization; otherwise `X-Cache-Status: Bypass`;
- the key: sha256 of "<route id>|<method>|<uri without query>|<query params>|<vary headers>"
  (every query parameter, sorted, unless vary_query_params names some); `X-Cache-Key`;
- a stored answer is served with the stored status, headers and body, `Age` (seconds since
  it was stored) and `X-Cache-Status: Hit`; with cache_control the client's max-age, max-stale
  and min-fresh may ask for a fresher one (`Refresh`), `only-if-cached` with nothing stored is a
  504; without cache_control one older than cache_ttl is `Refresh`;
- an answer is stored when its status and Content-Type are listed and, with cache_control, its
  Cache-Control has no private / no-store / no-cache and a positive s-maxage, max-age (or
  Expires); it is kept for storage_ttl, else (cache_control) that max-age, else cache_ttl: so a
  cached answer never outlives its max-age, whatever changed upstream meanwhile;
- hop-by-hop headers and RateLimit-Remaining are never replayed.

Switched on by LOCALRUN_PROXY_CACHE=on in the gateway's environment (bench/catalog.py does):
otherwise the local gateway loads and validates the declarations but proxies every request, so
`make dev` and the end-to-end tests see each write at once and every request reaches (and
wakes) its function, as before.

Not reproduced: the Admin API's purge endpoints and cluster events; Kong stores the headers as
they were after the plugins before it (correlation id, CORS, rate limits); we store the
upstream's own, and those plugins set theirs again on every answer (no stale X-Request-ID);
answers over the gateway's inline size (256 KB), which are streamed, are not stored.
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl

from localrun.gateway.plugins.base import Exit, Headers, Plugin, RequestContext, get_header, set_header
from localrun.gateway.plugins.schema import Field

CACHE_VERSION = 1
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
                        "trailers", "transfer-encoding", "upgrade", "content-length"})
# Set on every answer by the plugins that run before this one (correlation-id, cors, rate-limiting).
_PER_REQUEST = ("access-control-", "ratelimit-", "x-ratelimit-", "retry-after", "x-request-id",
                "x-cache-", "age")
_METHODS = ("HEAD", "GET", "POST", "PATCH", "PUT")
_HEADERS = ("age", "X-Cache-Status", "X-Cache-Key")
MAX_ENTRIES = 10_000


def parse_directives(value: str | None) -> dict[str, Any]:
    """Kong's parse_directive_header: `a, b=1, c="x"` -> {a: True, b: 1, c: '"x"'} (lower-cased)."""
    out: dict[str, Any] = {}
    for part in (value or "").split(","):
        name, eq, arg = part.strip().partition("=")
        if not name:
            continue
        if not eq:
            out[name.strip().lower()] = True
            continue
        arg = arg.strip()
        try:
            number = float(arg)
            out[name.strip().lower()] = int(number) if number.is_integer() else number
        except ValueError:
            out[name.strip().lower()] = arg
    return out


def resource_ttl(cc: dict[str, Any], headers: Headers, now: float) -> float:
    """Kong's calculate_resource_ttl: s-maxage, else max-age, else Expires - now; never negative."""
    max_age = cc.get("s-maxage", cc.get("max-age"))
    if not isinstance(max_age, (int, float)):
        max_age = None
        expires = [v for k, v in headers if k.lower() == "expires"]
        if expires:
            try:
                max_age = parsedate_to_datetime(expires[-1]).timestamp() - now
            except (TypeError, ValueError):
                max_age = None
    return max(max_age, 0) if max_age is not None else 0


def parse_mime(value: str) -> tuple[str, str, frozenset[tuple[str, str]]] | None:
    """Return (type, subtype, parameters) of a media type, lower-cased; None when malformed."""
    head, *params = value.split(";")
    kind, slash, sub = head.strip().lower().partition("/")
    if not slash or not kind or not sub:
        return None
    pairs = set()
    for p in params:
        k, _, v = p.strip().partition("=")
        if k:
            pairs.add((k.strip().lower(), v.strip().strip('"').lower()))
    return kind, sub, frozenset(pairs)


def _ttl_check(value: Any) -> str | None:
    return None if value > 0 else "value must be greater than 0"


@dataclass(slots=True)
class Stored:
    status: int
    headers: Headers
    body: bytes
    timestamp: float
    ttl: float
    version: int = CACHE_VERSION


class MemoryStore:
    """The memory strategy: a bounded dictionary whose entries expire after their ttl."""

    def __init__(self, clock: Any, max_entries: int = MAX_ENTRIES) -> None:
        self._clock = clock
        self._entries: OrderedDict[str, tuple[Stored, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def fetch(self, key: str) -> Stored | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if self._clock() >= entry[1]:
                del self._entries[key]
                return None
            return entry[0]

    def store(self, key: str, res: Stored, ttl: float) -> None:
        with self._lock:
            self._entries[key] = (res, self._clock() + ttl)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def purge(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)


class ProxyCache(Plugin):
    """Serve stored answers (Hit), store cacheable ones (Miss, Refresh), or pass (Bypass)."""

    name = "proxy-cache"
    priority = 100
    fields = {
        "strategy": Field("string", default=None, one_of=("memory",)),
        "response_code": Field("any", default=[200, 301, 404]),
        "request_method": Field("array", default=["GET", "HEAD"], elements_one_of=_METHODS),
        "content_type": Field("array", default=["text/plain", "application/json"]),
        "cache_ttl": Field("integer", default=300, check=_ttl_check),
        "storage_ttl": Field("integer"),
        "cache_control": Field("boolean", default=False),
        "ignore_uri_case": Field("boolean", default=False),
        "vary_query_params": Field("array"),
        "vary_headers": Field("array"),
        "response_headers": Field("record", default={"age": True, "X-Cache-Status": True,
                                                     "X-Cache-Key": True}),
        "memory": Field("record", default={"dictionary_name": "kong_db_cache"}),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        config = self.config
        if config["strategy"] is None:
            raise ValueError(f"{self.where}: config.strategy: required field missing")
        codes = config["response_code"]
        if not isinstance(codes, list) or not codes or not all(
                isinstance(c, int) and not isinstance(c, bool) and 100 <= c <= 900 for c in codes):
            raise ValueError(f"{self.where}: config.response_code: expected integers between 100 and 900")
        shown = {**{"age": True, "X-Cache-Status": True, "X-Cache-Key": True}, **config["response_headers"]}
        unknown = set(shown) - set(_HEADERS)
        if unknown:
            raise ValueError(f"{self.where}: config.response_headers: unknown field(s) {', '.join(sorted(unknown))}")
        self.shown = {k.lower() for k, v in shown.items() if v}
        self.methods = frozenset(config["request_method"])
        self.codes = frozenset(codes)
        self.types = []
        for text in config["content_type"]:
            parsed = parse_mime(text)
            if parsed is None:
                raise ValueError(f"{self.where}: config.content_type: {text!r} is not a media type")
            self.types.append(parsed)
        self.store = MemoryStore(self.runtime.clock)
        self.enabled = os.environ.get("LOCALRUN_PROXY_CACHE", "off").lower() == "on"

    # ------------------------------------------------------------------ decisions

    def _show(self, ctx: RequestContext, name: str) -> bool:
        return name.lower() in self.shown or ctx.header("Kong-Debug") is not None

    def cacheable_request(self, ctx: RequestContext, cc: dict[str, Any]) -> bool:
        if ctx.method not in self.methods:
            return False
        if self.config["cache_control"] and (cc.get("no-store") or cc.get("no-cache")
                                             or ctx.header("Authorization") is not None):
            return False
        return True

    def content_type_allowed(self, value: str | None) -> bool:
        parsed = parse_mime(value) if value else None
        if parsed is None:
            return False
        kind, sub, params = parsed
        return any((t == "*" or t == kind) and (s == "*" or s == sub) and p == params
                   for t, s, p in self.types)

    def cacheable_response(self, status: int, headers: Headers, cc: dict[str, Any]) -> bool:
        if status not in self.codes:
            return False
        content_types = [v for k, v in headers if k.lower() == "content-type"]
        if len(content_types) != 1 or not self.content_type_allowed(content_types[0]):
            return False
        if self.config["cache_control"]:
            if cc.get("private") or cc.get("no-store") or cc.get("no-cache"):
                return False
            if resource_ttl(cc, headers, self.runtime.clock()) <= 0:
                return False
        return True

    def cache_key(self, ctx: RequestContext) -> str:
        uri = ctx.path.lower() if self.config["ignore_uri_case"] else ctx.path
        params: dict[str, list[str]] = {}
        for k, v in parse_qsl(ctx.query, keep_blank_values=True):
            params.setdefault(k, []).append(v)
        names = self.config["vary_query_params"] or sorted(params)
        query = ":".join(f"{n}={','.join(sorted(params[n]))}" for n in names if n in params)
        vary = ""
        if self.config["vary_headers"]:
            vary = ":".join(f"{n.lower()}={ctx.header(n)}" for n in self.config["vary_headers"]
                            if ctx.header(n) is not None)
        text = f"{ctx.route_id}|{ctx.method}|{uri}|{query}|{vary}"
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()

    # ------------------------------------------------------------------ phases

    def access(self, ctx: RequestContext) -> Exit | None:
        if not self.enabled:
            return None
        cc = parse_directives(ctx.header("Cache-Control"))
        if not self.cacheable_request(ctx, cc):
            ctx.state[self.name] = {"status": "Bypass"}
            return None
        key = self.cache_key(ctx)
        res = self.store.fetch(key)
        if res is None:
            if self.config["cache_control"] and cc.get("only-if-cached"):
                ctx.state[self.name] = {"key": key}
                return Exit(504, b"", content_type=None)
            ctx.state[self.name] = {"status": "Miss", "key": key, "store": True}
            return None
        if res.version != CACHE_VERSION:
            self.store.purge(key)
            ctx.state[self.name] = {"status": "Bypass", "key": key, "store": True}
            return None
        age = self.runtime.clock() - res.timestamp
        if self.config["cache_control"]:
            stale = (_number(cc.get("max-age")) is not None and age > _number(cc["max-age"])
                     or _number(cc.get("max-stale")) is not None and age - res.ttl > _number(cc["max-stale"])
                     or _number(cc.get("min-fresh")) is not None and res.ttl - age < _number(cc["min-fresh"]))
        else:
            stale = age > self.config["cache_ttl"]
        if stale:
            ctx.state[self.name] = {"status": "Refresh", "key": key, "store": True}
            return None
        ctx.state[self.name] = {"hit": True}
        headers = [(k, v) for k, v in res.headers if k.lower() != "content-type"]
        if self._show(ctx, "age"):
            headers.append(("Age", str(math.floor(age))))
        if self._show(ctx, "X-Cache-Status"):
            headers.append(("X-Cache-Status", "Hit"))
        if self._show(ctx, "X-Cache-Key"):
            headers.append(("X-Cache-Key", key))
        content_type = get_header(res.headers, "Content-Type")
        return Exit(res.status, res.body, headers, content_type=content_type)

    def header_filter(self, ctx: RequestContext, status: int, headers: Headers) -> None:
        state = ctx.state.get(self.name)
        if state is None or state.get("hit"):
            return
        if "key" in state and self._show(ctx, "X-Cache-Key"):
            set_header(headers, "X-Cache-Key", state["key"])
        if state.get("store"):
            cc = parse_directives(", ".join(v for k, v in headers if k.lower() == "cache-control") or None)
            if self.cacheable_response(status, headers, cc):
                state["headers"] = [(k, v) for k, v in headers if _replayable(k)]
                state["status_code"] = status
                state["ttl"] = (resource_ttl(cc, headers, self.runtime.clock())
                                if self.config["cache_control"] else self.config["cache_ttl"])
            else:
                state["store"] = False
                state["status"] = "Bypass"
        if "status" in state and self._show(ctx, "X-Cache-Status"):
            set_header(headers, "X-Cache-Status", state["status"])

    def body_filter(self, ctx: RequestContext, status: int, body: bytes) -> None:
        state = ctx.state.get(self.name)
        if not state or not state.get("store") or "headers" not in state:
            return
        ttl = state["ttl"]
        res = Stored(state["status_code"], state["headers"], body, self.runtime.clock(), ttl)
        self.store.store(state["key"], res, self.config["storage_ttl"] or ttl)


def _number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _replayable(name: str) -> bool:
    lower = name.lower()
    return lower not in HOP_BY_HOP and not lower.startswith(_PER_REQUEST) and lower != "server"
