"""Every function's Prometheus metrics: requests, events, cold starts and the business counters.

A function instance keeps its figures in memory-mapped files its gunicorn workers share
(`_Store`: a request adds two or three increments, each a dict lookup and an 8-byte write) and
imports `prometheus_client` only when it is scraped: its import (exposition, wsgiref, urllib,
about 12 ms on top of what a function loads anyway, `python -X importtime`) never lands on a
cold start, and no request pays for label validation or the client's per-child locks.

What each instance exposes on `GET /metrics` (web.py answers it before any route, on the
function's own port; in the cluster Prometheus scrapes the pod there, straight, not through the
queue-proxy or the activator, so a scrape never wakes a function nor counts as its traffic):

| metric | type | labels | counted |
|---|---|---|---|
| `ecom_http_requests_total` | counter | route, method, status | every request a function answers (not the health probes, not /metrics) |
| `ecom_http_request_duration_seconds` | histogram | route, method | the same requests' time in the function |
| `ecom_cold_starts_total` | counter | | 1 once the instance has served a request: its first was a cold start |
| `ecom_events_total` | counter | type, outcome | each CloudEvent a handler is given: `handled`, `duplicate`, `retried` (a 5xx, the broker tries again), `rejected` (never again); and `dead_lettered`, counted by `reporting-on-dead-letter` for each event the broker gave up on (once per event and subscriber) |
| `ecom_orders_placed_total` | counter | currency | `business_event("order_placed", currency=...)` |
| `ecom_orders_confirmed_total` | counter | currency | `business_event("order_confirmed", currency=...)` |
| `ecom_orders_cancelled_total` | counter | reason | `business_event("order_cancelled", reason=...)`: customer, admin, out_of_stock, payment_timeout |
| `ecom_payments_completed_total` | counter | currency | `business_event("payment_completed", currency=..., amount_minor=...)` |
| `ecom_revenue_minor_total` | counter | currency | the same call's `amount_minor` (integer minor units: 1999 is 19.99) |
| `ecom_payments_failed_total` | counter | reason | `business_event("payment_failed", reason=...)` |

plus `prometheus_client`'s process and platform collectors (`process_*`, `python_info`). The
`route` is the path the function declares for its operations (`/api/orders/{id}`), `/` for an
event handler: never the request's own path, whose ids would make a series per order.

Domain code counts a business event through its unit of work, `uow.business_event(name,
**labels)`, which counts it when (and only if) the transaction commits; `business_event` itself
counts at once.
"""

from __future__ import annotations

import atexit
import json
import mmap
import os
import struct
import threading
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

PATH = "/metrics"
# Seconds; the Prometheus client's defaults without 0.075/0.75/7.5 and with 2.5 s...30 s for the
# slow paths (a cold start's first request, an argon2 check under load, calls to other domains).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
MAX_LABEL = 64  # characters of a label value: anything longer is a bug (a free text, an id)

_lock = threading.Lock()  # one writer per process: the threads of a gunicorn worker take turns
_RECORD = struct.Struct("<i")
_VALUE = struct.Struct("<d")
_INITIAL_SIZE = 64 * 1024


class _Store:
    """The figures of every worker of one function instance, in files they all read.

    functions-framework's gunicorn runs WORKERS processes (knative/config.yaml: 2), forked from
    the one that imported this module: each adds to its own file (`<pid>.db` in `directory`,
    memory-mapped: an increment is a dict lookup and an 8-byte write), and the worker that
    answers a scrape sums every file. The directory is named by the process that imported the
    module, before the fork, so every worker agrees on it, and is removed when that process
    exits. A file is a header (bytes used) then records: key length, key (JSON, padded to 8
    bytes), a float64. Where no file can be made, the process counts in memory, for itself.
    """

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._owner = os.getpid()
        self._map: mmap.mmap | None = None
        self._offsets: dict[tuple[Any, ...], int] = {}
        self._memory: dict[tuple[Any, ...], float] | None = None  # the fallback
        self._used = 8
        if os.path.isdir(directory):  # a directory left by an earlier process with our pid
            self._clear()

    def forked(self) -> None:
        """In a new child: its own file, from its first write on (the parent's stays the parent's)."""
        self._map, self._offsets, self._used = None, {}, 8
        if self._memory is not None:
            self._memory = {}

    def add(self, key: tuple[Any, ...], amount: float) -> None:
        """Add `amount` to `key`'s value (called with _lock held)."""
        offset = self._offsets.get(key)
        if offset is None:
            if self._memory is not None or not self._open():
                self._memory[key] = self._memory.get(key, 0.0) + amount  # type: ignore[index]
                return
            offset = self._append(key)
        mapped = self._map
        assert mapped is not None
        _VALUE.pack_into(mapped, offset, _VALUE.unpack_from(mapped, offset)[0] + amount)

    def _open(self) -> bool:
        if self._map is not None:
            return True
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            fd = os.open(os.path.join(self.directory, f"{os.getpid()}.db"), os.O_RDWR | os.O_CREAT | os.O_TRUNC,
                         0o600)
            try:
                os.ftruncate(fd, _INITIAL_SIZE)
                self._map = mmap.mmap(fd, _INITIAL_SIZE)
            finally:
                os.close(fd)
        except OSError:
            self._memory = {}
            return False
        self._used = 8
        _RECORD.pack_into(self._map, 0, self._used)
        return True

    def _append(self, key: tuple[Any, ...]) -> int:
        mapped = self._map
        assert mapped is not None
        raw = json.dumps(key, separators=(",", ":")).encode()
        raw += b" " * (-(_RECORD.size + len(raw)) % 8)  # the value lands on an 8-byte boundary
        size = _RECORD.size + len(raw) + _VALUE.size
        if self._used + size > len(mapped):
            mapped.resize(max(2 * len(mapped), self._used + size))
        _RECORD.pack_into(mapped, self._used, len(raw))
        mapped[self._used + _RECORD.size:self._used + _RECORD.size + len(raw)] = raw
        offset = self._used + _RECORD.size + len(raw)
        _VALUE.pack_into(mapped, offset, 0.0)
        self._used += size
        _RECORD.pack_into(mapped, 0, self._used)  # last: a reader sees whole records only
        self._offsets[key] = offset
        return offset

    def totals(self) -> dict[tuple[Any, ...], float]:
        """Return every key's value summed over the instance's processes (their files)."""
        if self._memory is not None:
            return dict(self._memory)
        out: dict[tuple[Any, ...], float] = {}
        try:
            names = [n for n in os.listdir(self.directory) if n.endswith(".db")]
        except FileNotFoundError:
            return out
        for name in names:
            try:
                with open(os.path.join(self.directory, name), "rb") as f:
                    data = f.read()
            except FileNotFoundError:
                continue
            if len(data) < 8:
                continue
            used, position = min(_RECORD.unpack_from(data, 0)[0], len(data)), 8
            while position + _RECORD.size <= used:
                length = _RECORD.unpack_from(data, position)[0]
                key = tuple(json.loads(data[position + _RECORD.size:position + _RECORD.size + length]))
                value = _VALUE.unpack_from(data, position + _RECORD.size + length)[0]
                out[key] = out.get(key, 0.0) + value
                position += _RECORD.size + length + _VALUE.size
        return out

    def claim(self, name: str) -> bool:
        """Return True to the first process of the instance to claim `name` (a marker file)."""
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            os.close(os.open(os.path.join(self.directory, name), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            return False
        except OSError:
            pass  # no directory: this process decides for itself
        return True

    def _clear(self) -> None:
        for name in os.listdir(self.directory):
            try:
                os.unlink(os.path.join(self.directory, name))
            except OSError:
                pass

    def reset(self) -> None:
        """Forget every figure of every process (tests)."""
        if self._map is not None:
            self._map.close()
        self.forked()
        if self._memory is not None:
            self._memory = {}
        if os.path.isdir(self.directory):
            self._clear()

    def remove(self) -> None:
        """At exit of the process that named the directory: delete it (workers leave it alone)."""
        if os.getpid() == self._owner and os.path.isdir(self.directory):
            self._clear()
            try:
                os.rmdir(self.directory)
            except OSError:
                pass


def _directory() -> str:
    given = os.environ.get("METRICS_DIR")
    if given:
        return given
    return os.path.join(os.environ.get("TMPDIR") or "/tmp", f"ecom-metrics-{os.getpid()}")


_store = _Store(_directory())
atexit.register(_store.remove)
os.register_at_fork(after_in_child=_store.forked)


class Counter:
    """A counter with fixed label names; `inc(*values)` adds to the series of those values."""

    kind = "counter"

    def __init__(self, name: str, documentation: str, labels: tuple[str, ...] = ()) -> None:
        self.name, self.documentation, self.labels = name, documentation, labels

    def inc(self, *values: str, amount: float = 1) -> None:
        with _lock:
            _store.add((self.name, *values), amount)

    def value(self, *values: str) -> float:
        """Return the series' current count over every worker (0 when never incremented)."""
        return _store.totals().get((self.name, *values), 0)

    def samples(self, totals: dict[tuple[Any, ...], float] | None = None) -> list[tuple[tuple[str, ...], float]]:
        totals = _store.totals() if totals is None else totals
        return [(key[1:], value) for key, value in totals.items() if key[0] == self.name]


class Histogram:
    """A histogram with fixed label names and buckets (upper bounds, seconds); +Inf is implied."""

    kind = "histogram"

    def __init__(self, name: str, documentation: str, labels: tuple[str, ...] = (),
                 buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.name, self.documentation, self.labels = name, documentation, labels
        self.buckets = tuple(sorted(buckets))
        self._sum = name + "_sum"  # keys: (name, slot, *values) per bucket, not cumulative; (name_sum, *values)

    def observe(self, value: float, *values: str) -> None:
        slot = bisect_left(self.buckets, value)  # the first bound >= value: Prometheus' `le`
        with _lock:
            _store.add((self.name, slot, *values), 1)
            _store.add((self._sum, *values), value)

    def samples(self, totals: dict[tuple[Any, ...], float] | None = None,
                ) -> list[tuple[tuple[str, ...], list[tuple[str, float]], float]]:
        """Return (label values, cumulative (le, count) pairs ending with +Inf, sum) per series."""
        totals = _store.totals() if totals is None else totals
        bounds = [_le(b) for b in self.buckets] + ["+Inf"]
        counts: dict[tuple[str, ...], list[float]] = {}
        sums: dict[tuple[str, ...], float] = {}
        for key, value in totals.items():
            if key[0] == self.name:
                counts.setdefault(tuple(key[2:]), [0.0] * len(bounds))[key[1]] += value
            elif key[0] == self._sum:
                sums[tuple(key[1:])] = value
        out = []
        for labels, per_slot in counts.items():
            running, cumulative = 0.0, []
            for bound, count in zip(bounds, per_slot):
                running += count
                cumulative.append((bound, running))
            out.append((labels, cumulative, sums.get(labels, 0.0)))
        return out


def _le(bound: float) -> str:
    return repr(float(bound))  # what the Prometheus client writes: 0.005, 1.0, 30.0


REQUESTS = Counter("ecom_http_requests_total", "Requests a function answered, by route, method and status",
                   ("route", "method", "status"))
LATENCY = Histogram("ecom_http_request_duration_seconds", "Time a function took to answer, by route and method",
                    ("route", "method"))
COLD_STARTS = Counter("ecom_cold_starts_total", "1 once this instance has served its first request (a cold start)")
EVENTS = Counter("ecom_events_total", "CloudEvents given to a handler, by type and outcome "
                 "(handled, duplicate, retried, rejected)", ("type", "outcome"))
ORDERS_PLACED = Counter("ecom_orders_placed_total", "Orders placed, by currency", ("currency",))
ORDERS_CONFIRMED = Counter("ecom_orders_confirmed_total", "Orders confirmed after payment, by currency",
                           ("currency",))
ORDERS_CANCELLED = Counter("ecom_orders_cancelled_total", "Orders cancelled, by reason", ("reason",))
PAYMENTS_COMPLETED = Counter("ecom_payments_completed_total", "Payments completed, by currency", ("currency",))
PAYMENTS_FAILED = Counter("ecom_payments_failed_total", "Payments that failed, by reason", ("reason",))
REVENUE = Counter("ecom_revenue_minor_total", "Revenue of completed payments in minor units, by currency",
                  ("currency",))
METRICS: tuple[Counter | Histogram, ...] = (
    REQUESTS, LATENCY, COLD_STARTS, EVENTS, ORDERS_PLACED, ORDERS_CONFIRMED, ORDERS_CANCELLED,
    PAYMENTS_COMPLETED, PAYMENTS_FAILED, REVENUE)

# name -> (its counter, the labels it takes, whether it carries amount_minor into REVENUE)
BUSINESS_EVENTS: dict[str, tuple[Counter, bool]] = {
    "order_placed": (ORDERS_PLACED, False),
    "order_confirmed": (ORDERS_CONFIRMED, False),
    "order_cancelled": (ORDERS_CANCELLED, False),
    "payment_completed": (PAYMENTS_COMPLETED, True),
    "payment_failed": (PAYMENTS_FAILED, False),
}


def business_event(name: str, amount_minor: int | None = None, **labels: str) -> None:
    """Count a business event now: `business_event("order_placed", currency="EUR")`.

    `payment_completed` takes `amount_minor` too (an int, minor units), added to the revenue of
    its currency. Raise ValueError for an unknown name, other labels than the event's, a label
    value that is not a short string, or an amount that is not a non-negative int: a typo in a
    metric is a bug the tests should see, not a series nobody queries.
    """
    counter, with_amount = _check(name, amount_minor, labels)
    values = tuple(labels[label] for label in counter.labels)
    counter.inc(*values)
    if with_amount:
        REVENUE.inc(*values, amount=amount_minor)  # type: ignore[arg-type]  # checked: an int


def _check(name: str, amount_minor: int | None, labels: dict[str, str]) -> tuple[Counter, bool]:
    known = BUSINESS_EVENTS.get(name)
    if known is None:
        raise ValueError(f"unknown business event {name!r}: one of {', '.join(sorted(BUSINESS_EVENTS))}")
    counter, with_amount = known
    if set(labels) != set(counter.labels):
        raise ValueError(f"{name} takes the labels {', '.join(counter.labels) or 'none'}, "
                         f"not {', '.join(sorted(labels)) or 'none'}")
    for label, value in labels.items():
        if not isinstance(value, str) or not value or len(value) > MAX_LABEL or not value.isprintable():
            raise ValueError(f"{name}: label {label} must be a printable string of 1 to {MAX_LABEL} "
                             f"characters, not {value!r}")
    if with_amount:
        if type(amount_minor) is not int or amount_minor < 0:
            raise ValueError(f"{name} needs amount_minor, a non-negative int of minor units, "
                             f"not {amount_minor!r}")
    elif amount_minor is not None:
        raise ValueError(f"{name} takes no amount_minor")
    return counter, with_amount


def check_business_event(name: str, amount_minor: int | None = None, **labels: str) -> None:
    """Raise ValueError as `business_event` would, counting nothing (a unit of work checks at once)."""
    _check(name, amount_minor, labels)


_served = False


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request (web.py's http_function calls it for every request it serves)."""
    global _served
    if not _served:
        with _lock:
            first, _served = not _served, True
        if first and _store.claim("cold-start"):  # the instance's first request, whichever worker had it
            COLD_STARTS.inc()
    REQUESTS.inc(route, method, _STATUS.get(status) or str(status))
    LATENCY.observe(seconds, route, method)


_STATUS = {code: str(code) for code in range(100, 600)}  # no str() per request


def event_outcome(event_type: str, outcome: str) -> None:
    """Count what became of a CloudEvent: handled, duplicate, retried, rejected or dead_lettered."""
    EVENTS.inc(event_type, outcome)


def reset() -> None:
    """Forget every figure (tests; a process never resets: Prometheus reads counters as monotonic)."""
    global _served
    with _lock:
        _served = False
        _store.reset()


class _Collector:
    """Hands the figures to prometheus_client's registry as metric families, at scrape time."""

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily

        totals = _store.totals()
        for metric in METRICS:
            if isinstance(metric, Counter):
                family = CounterMetricFamily(metric.name, metric.documentation, labels=metric.labels)
                samples = metric.samples(totals)
                if not metric.labels and not samples:
                    samples = [((), 0)]  # an unlabelled counter shows its 0 (no cold start yet)
                for key, value in samples:
                    family.add_metric(key, value)
            else:
                family = HistogramMetricFamily(metric.name, metric.documentation, labels=metric.labels)
                for key, buckets, total in metric.samples(totals):
                    family.add_metric(key, buckets, total)
            yield family


_registry: Any = None


def registry() -> Any:
    """Return this process's CollectorRegistry (made on first use: the first scrape)."""
    global _registry
    if _registry is None:
        from prometheus_client import CollectorRegistry, PlatformCollector, ProcessCollector

        made = CollectorRegistry(auto_describe=False)
        made.register(_Collector())  # type: ignore[arg-type]
        ProcessCollector(registry=made)
        PlatformCollector(registry=made)
        _registry = made
    return _registry


def exposition() -> tuple[bytes, str]:
    """Return (body, content type) of this process's metrics in Prometheus' text format."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    return generate_latest(registry()), CONTENT_TYPE_LATEST
