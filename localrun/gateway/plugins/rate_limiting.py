"""Kong's rate-limiting plugin (priority 910), `policy: local`: fixed windows counted in memory.

Windows are aligned as Kong's `kong.tools.timestamp.get_timestamps` aligns them: the current
UTC second, minute, hour, day, calendar month and calendar year. A request that passes counts
in every configured window; a refused one counts in none. `RateLimit-Reset` (and `Retry-After`
on a 429) is `max(1, window - seconds since the window started)` for the most constraining
period, with Kong's fixed window lengths (a month is 30 days and a year 365 for this sum).
Check and increment happen under one lock (Kong increments in a timer after the check, so
concurrent requests can overshoot it a little; ours cannot).
"""

from __future__ import annotations

import calendar
import functools
import threading
import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from localrun.gateway.plugins.base import (
    Exit,
    Headers,
    Plugin,
    RequestContext,
    exit_error,
    lua_number,
    set_header,
)
from localrun.gateway.plugins.schema import Field

PERIODS = ("second", "minute", "hour", "day", "month", "year")
EXPIRATION = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "month": 2592000, "year": 31536000}
X_LIMIT = {p: f"X-RateLimit-Limit-{p.capitalize()}" for p in PERIODS}
X_REMAINING = {p: f"X-RateLimit-Remaining-{p.capitalize()}" for p in PERIODS}
LIMIT_BY = ("consumer", "credential", "ip", "service", "header", "path")


@functools.lru_cache(maxsize=4)
def period_starts(now: int) -> Mapping[str, int]:
    """Return the UTC start (epoch seconds) of each period containing now (read-only: each second's
    answer is shared by every request of that second; working it out per request was a tenth of
    the gateway's CPU under load)."""
    t = time.gmtime(now)
    minute = now - t.tm_sec
    hour = minute - 60 * t.tm_min
    day = hour - 3600 * t.tm_hour
    return MappingProxyType({"second": now, "minute": minute, "hour": hour, "day": day,
                             "month": calendar.timegm((t.tm_year, t.tm_mon, 1, 0, 0, 0)),
                             "year": calendar.timegm((t.tm_year, 1, 1, 0, 0, 0))})


class Counters:
    """Request counts per (identifier, period, window start); thread-safe, old windows dropped."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str, int], int] = {}
        self._next_sweep = 0

    def take(self, identifier: str, windows: list[tuple[str, int, float]], now: int) -> list[int]:
        """Return the usage of each (period, start, limit) window; count the request if none is full."""
        keys = [(identifier, period, start) for period, start, _ in windows]
        with self._lock:
            if now >= self._next_sweep:
                self._sweep(now)
            counts = self._counts
            used = [counts.get(k, 0) for k in keys]
            if all(limit - u > 0 for (_, _, limit), u in zip(windows, used)):
                for k in keys:
                    counts[k] = counts.get(k, 0) + 1
            return used

    def _sweep(self, now: int) -> None:
        self._counts = {k: v for k, v in self._counts.items() if k[2] + EXPIRATION[k[1]] > now}
        self._next_sweep = now + 1

    def __len__(self) -> int:
        return len(self._counts)


def _limits_problem(config: dict[str, Any]) -> str | None:
    given = [p for p in PERIODS if config[p] is not None]
    if not given:
        return ("at least one of these fields must be non-empty: "
                + ", ".join(f"'config.{p}'" for p in PERIODS))
    for i, lower in enumerate(PERIODS):
        for upper in PERIODS[i + 1:]:
            v1, v2 = config[lower], config[upper]
            if v1 is not None and v2 is not None and v2 < v1:
                return f"The limit for {upper}({v2:.1f}) cannot be lower than the limit for {lower}({v1:.1f})"
    if config["limit_by"] == "header" and not config["header_name"]:
        return "config.header_name: required field missing (limit_by is 'header')"
    if config["limit_by"] == "path" and not config["path"]:
        return "config.path: required field missing (limit_by is 'path')"
    if config["policy"] != "local":
        return (f"config.policy {config['policy']!r}: the local gateway implements only 'local' "
                f"(in-memory counters); 'cluster' needs Kong's database and 'redis' a Redis")
    return None


class RateLimiting(Plugin):
    """Limits per consumer, credential, ip, service, header or path, falling back to the ip."""

    name = "rate-limiting"
    priority = 910
    fields = {
        **{p: Field("number", gt=0) for p in PERIODS},
        "limit_by": Field("string", default="consumer", one_of=LIMIT_BY),
        "header_name": Field("string"),
        "path": Field("string"),
        "policy": Field("string", default="local", one_of=("local", "cluster", "redis")),
        "fault_tolerant": Field("boolean", default=True),
        "hide_client_headers": Field("boolean", default=False),
        "error_code": Field("number", default=429, gt=0),
        "error_message": Field("string", default="API rate limit exceeded"),
        "sync_rate": Field("number", default=-1),
        "redis": Field("record"),
        # Kong 3.9 still accepts the pre-3.6 flat redis fields as shorthands.
        **{f: Field("any") for f in ("redis_host", "redis_port", "redis_password", "redis_username",
                                     "redis_ssl", "redis_ssl_verify", "redis_server_name",
                                     "redis_timeout", "redis_database")},
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        c = self.config
        if problem := _limits_problem(c):
            raise ValueError(f"{self.where}: {problem}")
        self.limits = tuple((p, c[p]) for p in PERIODS if c[p] is not None)
        self.limit_by: str = c["limit_by"]
        self.header_name: str | None = c["header_name"]
        self.path: str | None = c["path"]
        self.hide: bool = c["hide_client_headers"]
        self.error_code = int(c["error_code"])
        self.error_message: str = c["error_message"]
        # Kong keys its counters by the plugin's route and service: one store per declaration.
        self.counters = Counters()
        self.clock = self.runtime.clock

    def identifier(self, ctx: RequestContext) -> str:
        """Return what requests are counted by, falling back to the client ip as Kong does."""
        by = self.limit_by
        found: Any = None
        if by == "consumer":
            who = ctx.consumer or ctx.credential
            found = who.id if who is not None else None
        elif by == "credential":
            found = ctx.credential.id if ctx.credential is not None else None
        elif by == "service":
            found = ctx.service
        elif by == "header":
            found = ctx.header(self.header_name or "")
        elif by == "path":
            found = ctx.path if ctx.path == self.path else None
        return found or ctx.client_ip

    def access(self, ctx: RequestContext) -> Exit | None:
        now = int(self.clock())
        starts = period_starts(now)
        windows = [(period, starts[period], limit) for period, limit in self.limits]
        used = self.counters.take(self.identifier(ctx), windows, now)
        stop = None
        for (period, _, limit), u in zip(windows, used):
            if limit - u <= 0:
                stop = period
        headers: Headers = []
        reset = None
        if not self.hide:
            best: tuple[float, int] | None = None  # (remaining, window) of the header period
            limit_value = None
            for (period, start, limit), u in zip(windows, used):
                remaining = limit - u
                if stop is None or stop == period:
                    remaining -= 1  # this request
                remaining = max(0, remaining)
                window = EXPIRATION[period]
                if best is None or remaining < best[0] or (remaining == best[0] and window > best[1]):
                    best, limit_value = (remaining, window), limit
                    reset = max(1, window - (now - start))
                headers.append((X_LIMIT[period], lua_number(limit)))
                headers.append((X_REMAINING[period], lua_number(remaining)))
            assert best is not None
            headers += [("RateLimit-Limit", lua_number(limit_value)),
                        ("RateLimit-Remaining", lua_number(best[0])),
                        ("RateLimit-Reset", str(reset))]
        if stop is not None:
            if reset is not None:  # hidden headers leave Kong without a reset: no Retry-After
                headers.append(("Retry-After", str(reset)))
            return exit_error(self.error_code, self.error_message, ctx.request_id, headers)
        if headers:
            ctx.state[self.name] = headers
        return None

    def header_filter(self, ctx: RequestContext, status: int, headers: Headers) -> None:
        for name, value in ctx.state.get(self.name) or ():
            set_header(headers, name, value)
