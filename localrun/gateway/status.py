"""The local gateway's status listener: Kong's Status API, plus what `make status` reads.

Kong serves `/status`, `/status/ready` and (with the prometheus plugin) `/metrics` on
KONG_STATUS_LISTEN (port 8100 in knative/kong/gateway.yaml), apart from the proxy's port, so no
route can reach them. The local gateway does the same on 127.0.0.1 (`GATEWAY_STATUS_PORT`, by
default the port of KONG_STATUS_LISTEN), and its `/metrics` is the whole local system's:

- the gateway's own, as Kong's prometheus plugin exports them (`plugins/prometheus.py`);
- every running function's own `/metrics` (`functions/runtime/metrics.py`), scraped from its
  port when asked, each sample labelled `function="<Knative Service>"` as Prometheus' target
  labels name a pod's service (a function scaled to zero has no process and no series, as in
  the cluster);
- the activator's: `localrun_function_up{function}` (1 running, 0 scaled to zero) and
  `localrun_function_starts_total{function}` (cold starts since `make dev` began, which
  outlive the processes whose own counters vanish when they stop).

`GET /status/stack` (local only, JSON) is what `make status` prints: every function's state,
and whatever the stack registered with `Gateway.add_status` (the broker's queues, the outboxes).
"""

from __future__ import annotations

import http.client
import json
import logging
import socketserver
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

if TYPE_CHECKING:
    from localrun.gateway.plugins.prometheus import KongMetrics
    from localrun.serving.activator import Activator

log = logging.getLogger(__name__)
SCRAPE_TIMEOUT = 2.0  # seconds per function: one that does not answer in time is left out
STACK_PATH = "/status/stack"


def scrape(address: tuple[str, int], timeout: float = SCRAPE_TIMEOUT) -> str:
    """Return a function's own metrics (GET /metrics on its port); raise OSError or HTTPException."""
    conn = http.client.HTTPConnection(*address, timeout=timeout)
    try:
        conn.request("GET", "/metrics")
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise http.client.HTTPException(f"GET /metrics answered {resp.status}")
        return body.decode("utf-8")
    finally:
        conn.close()


def merge(expositions: Mapping[str, str], label: str = "function") -> list[Metric]:
    """Return the metric families of several processes' expositions as one set, each sample
    labelled `label="<process name>"` (families of the same name are joined, first type wins)."""
    families: dict[str, Metric] = {}
    for owner, text in sorted(expositions.items()):
        for family in text_string_to_metric_families(text):
            merged = families.get(family.name)
            if merged is None:
                merged = families[family.name] = Metric(family.name, family.documentation, family.type, family.unit)
            elif merged.type != family.type:
                log.warning("%s: %s is a %s elsewhere, not a %s: left out", owner, family.name, merged.type,
                            family.type)
                continue
            for sample in family.samples:
                merged.samples.append(sample._replace(labels={**sample.labels, label: owner}))
    return list(families.values())


class SystemMetrics:
    """What the status listener's /metrics serves: the gateway's, the functions', the activator's."""

    def __init__(self, kong: KongMetrics | None, activator: Activator | None,
                 server_stats: Callable[[], tuple[int, int, int]] | None = None) -> None:
        self.kong, self.activator, self.server_stats = kong, activator, server_stats

    def collect(self) -> Iterator[Metric]:  # prometheus_client's Collector protocol
        if self.kong is not None:
            if self.server_stats is not None:
                self.kong.server_stats(*self.server_stats())
            yield from self.kong.registry.collect()
        if self.activator is None:
            return
        states = self.activator.states()
        up = Metric("localrun_function_up", "1 while the function has a running process, 0 scaled to zero",
                    "gauge")
        starts = Metric("localrun_function_starts", "Processes started for the function (cold starts)",
                        "counter")
        for state in states:
            up.add_sample("localrun_function_up", {"function": state.name}, 1 if state.state == "running" else 0)
            starts.add_sample("localrun_function_starts_total", {"function": state.name}, state.cold_starts)
        yield up
        yield starts
        yield from merge(self._scrape_functions())

    def _scrape_functions(self) -> dict[str, str]:
        assert self.activator is not None
        addresses = self.activator.addresses()
        if not addresses:
            return {}

        def one(item: tuple[str, tuple[str, int]]) -> tuple[str, str | None]:
            name, address = item
            try:
                return name, scrape(address)
            except (OSError, http.client.HTTPException) as exc:  # stopping, or busy past the timeout
                log.info("metrics of %s not read: %r", name, exc)
                return name, None

        with ThreadPoolExecutor(max_workers=min(8, len(addresses)), thread_name_prefix="localrun-scrape") as pool:
            return {name: text for name, text in pool.map(one, addresses.items()) if text is not None}

    def exposition(self) -> bytes:
        return generate_latest(self)  # type: ignore[arg-type]  # any object with collect()


class StatusHandler(BaseHTTPRequestHandler):
    server: StatusServer  # type: ignore[assignment]
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        path = self.path.partition("?")[0]
        server = self.server
        if path == "/metrics":
            return self._send(200, server.metrics.exposition(), CONTENT_TYPE_PLAIN_0_0_4)
        if path == "/status/ready":
            return self._json(200, {"message": "ready"})
        if path == "/status":
            requests, accepted, active = server.server_stats() if server.server_stats else (0, 0, 0)
            return self._json(200, {"database": {"reachable": True}, "server": {
                "total_requests": requests, "connections_accepted": accepted, "connections_handled": accepted,
                "connections_active": active}})
        if path == STACK_PATH:
            return self._json(200, server.stack())
        return self._json(404, {"message": "Not found"})

    def _json(self, status: int, body: Any) -> None:
        self._send(status, json.dumps(body, default=str).encode(), "application/json; charset=utf-8")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class StatusServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], metrics: SystemMetrics, activator: Activator | None,
                 providers: Mapping[str, Callable[[], Any]],
                 server_stats: Callable[[], tuple[int, int, int]] | None = None) -> None:
        self.metrics, self.activator, self.providers = metrics, activator, providers
        self.server_stats = server_stats
        self.started_at = time.time()
        super().__init__(address, StatusHandler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # no reverse DNS of the host name
        self.server_name, self.server_port = self.server_address[:2]

    def stack(self) -> dict[str, Any]:
        """Return what `make status` prints: the functions, then each registered provider's part."""
        out: dict[str, Any] = {"started_at": self.started_at, "now": time.time()}
        out["functions"] = [asdict(s) for s in self.activator.states()] if self.activator is not None else []
        for name, provide in self.providers.items():
            try:
                out[name] = provide()
            except Exception as exc:  # one part failing still shows the others
                log.warning("status of %s failed: %r", name, exc)
                out[name] = {"error": f"{exc!r}"[:300]}
        return out


class StatusListener:
    """Serves the status API on host:port in a background thread (port 0: any free port)."""

    def __init__(self, metrics: SystemMetrics, activator: Activator | None, host: str, port: int,
                 providers: Mapping[str, Callable[[], Any]],
                 server_stats: Callable[[], tuple[int, int, int]] | None = None) -> None:
        self._server = StatusServer((host, port), metrics, activator, providers, server_stats)
        self.host, self.port = host, self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="localrun-gateway-status", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
