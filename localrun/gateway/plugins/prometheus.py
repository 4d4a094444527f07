"""Kong's prometheus plugin (priority 13): Kong 3.9's metrics of every proxied request.

As in Kong (kong/plugins/prometheus/handler.lua and exporter.lua), the plugin acts in the log
phase, after the answer went out, of every request whose route it applies to, and writes into
one set of metrics per gateway node (`KongMetrics`), whichever declaration applied. What it
records follows the declaration's config, all off by default as in 3.x:

- `status_code_metrics`: `kong_http_requests_total{service, route, code, source, workspace, consumer}`
  (`source` is `service` for the upstream's answers, `kong` for the gateway's own);
- `latency_metrics`: the histograms `kong_request_latency_ms` (the whole request),
  `kong_upstream_latency_ms` (waiting for the function: not for gateway-made answers) and
  `kong_kong_latency_ms` (the gateway's own share), labels service, route, workspace, with
  Kong's buckets;
- `bandwidth_metrics`: `kong_bandwidth_bytes{service, route, direction, workspace, consumer}`,
  direction `ingress` (request line, headers and body) or `egress` (what was written back);
- `per_consumer`: the consumer label is the authenticated consumer's username (else "").

Always there, as in Kong: `kong_node_info{node_id, version}`, `kong_datastore_reachable` (1:
DB-less), `kong_nginx_requests_total{node_id, subsystem}` and
`kong_nginx_connections_total{node_id, subsystem, state}` (accepted, handled, active), read
from the gateway server when scraped. Kong serves them on its Status API (`/metrics` on
KONG_STATUS_LISTEN, port 8100 in knative/kong/gateway.yaml); the local gateway's status
listener does too (`localrun/gateway/status.py`). Not reproduced: `upstream_health_metrics`
(no upstream entities here), the AI, memory and timer metrics; a request no route matched is
not counted (Kong's log phase has no route to name either).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from localrun.gateway.plugins.base import Plugin, RequestContext, Runtime
from localrun.gateway.plugins.schema import Field

KONG_LATENCY_BUCKETS = (1, 2, 5, 7, 10, 15, 20, 30, 50, 75, 100, 200, 500, 750, 1000, 3000, 6000)
UPSTREAM_LATENCY_BUCKETS = (25, 50, 80, 100, 250, 400, 700, 1000, 2000, 5000, 10000, 30000, 60000)
WORKSPACE = "default"  # Kong OSS has the one workspace


@dataclass(frozen=True, slots=True)
class LogEntry:
    """What the log phase knows of an answered request (Kong's kong.log.serialize(), in part)."""

    status: int
    source: str  # "service": the upstream answered; "kong": the gateway did
    request_ms: float
    upstream_ms: float | None  # None when no upstream was asked
    ingress_bytes: int
    egress_bytes: int


class KongMetrics:
    """One gateway node's metrics (Kong's `prometheus_metrics` shared dict), in their own registry."""

    def __init__(self, version: str = "3.9.0-local") -> None:
        self.node_id = str(uuid.uuid4())
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("kong_http_requests_total", "HTTP status codes per consumer/service/route in Kong",
                                ("service", "route", "code", "source", "workspace", "consumer"), registry=r)
        self.kong_latency = Histogram("kong_kong_latency_ms",
                                      "Latency added by Kong and enabled plugins for each service/route in Kong",
                                      ("service", "route", "workspace"), buckets=KONG_LATENCY_BUCKETS, registry=r)
        self.upstream_latency = Histogram("kong_upstream_latency_ms",
                                          "Latency added by upstream response for each service/route in Kong",
                                          ("service", "route", "workspace"), buckets=UPSTREAM_LATENCY_BUCKETS,
                                          registry=r)
        self.request_latency = Histogram("kong_request_latency_ms",
                                         "Total latency incurred during requests for each service/route in Kong",
                                         ("service", "route", "workspace"), buckets=UPSTREAM_LATENCY_BUCKETS,
                                         registry=r)
        self.bandwidth = Counter("kong_bandwidth_bytes", "Total bandwidth (ingress/egress) throughput in bytes",
                                 ("service", "route", "direction", "workspace", "consumer"), registry=r)
        Gauge("kong_node_info", "Kong Node metadata information", ("node_id", "version"),
              registry=r).labels(self.node_id, version).set(1)
        Gauge("kong_datastore_reachable", "Datastore reachable from Kong, 0 is unreachable", registry=r).set(1)
        self.nginx_requests = Gauge("kong_nginx_requests_total", "Number of requests total",
                                    ("node_id", "subsystem"), registry=r)
        self.connections = Gauge("kong_nginx_connections_total", "Number of connections by subsystem",
                                 ("node_id", "subsystem", "state"), registry=r)

    def server_stats(self, requests: int, accepted: int, active: int) -> None:
        """Set the node-wide gauges from the server's counts (called when scraped)."""
        self.nginx_requests.labels(self.node_id, "http").set(requests)
        for state, value in (("accepted", accepted), ("handled", accepted), ("active", active)):
            self.connections.labels(self.node_id, "http", state).set(value)


class Prometheus(Plugin):
    """Records each request of its routes into the node's KongMetrics, as its config says."""

    name = "prometheus"
    priority = 13
    fields = {
        "per_consumer": Field("boolean", False),
        "status_code_metrics": Field("boolean", False),
        "ai_metrics": Field("boolean", False),  # accepted: no AI plugin here, nothing to count
        "latency_metrics": Field("boolean", False),
        "bandwidth_metrics": Field("boolean", False),
        "upstream_health_metrics": Field("boolean", False),  # accepted: no upstream entities
    }

    def __init__(self, config: Mapping[str, Any] | None, scope: str, where: str, runtime: Runtime) -> None:
        super().__init__(config, scope, where, runtime)
        self.metrics: KongMetrics = runtime.metrics

    def log(self, ctx: RequestContext, entry: LogEntry) -> None:
        config, m = self.config, self.metrics
        service, route = ctx.service, ctx.route or str(ctx.route_id)
        consumer = ""
        if config["per_consumer"] and ctx.consumer is not None:
            consumer = ctx.consumer.username or ctx.consumer.custom_id or ""
        if config["status_code_metrics"]:
            m.requests.labels(service, route, str(entry.status), entry.source, WORKSPACE, consumer).inc()
        if config["latency_metrics"]:
            m.request_latency.labels(service, route, WORKSPACE).observe(entry.request_ms)
            kong_ms = entry.request_ms
            if entry.upstream_ms is not None:
                m.upstream_latency.labels(service, route, WORKSPACE).observe(entry.upstream_ms)
                kong_ms = max(0.0, entry.request_ms - entry.upstream_ms)
            m.kong_latency.labels(service, route, WORKSPACE).observe(kong_ms)
        if config["bandwidth_metrics"]:
            if entry.ingress_bytes > 0:
                m.bandwidth.labels(service, route, "ingress", WORKSPACE, consumer).inc(entry.ingress_bytes)
            if entry.egress_bytes > 0:
                m.bandwidth.labels(service, route, "egress", WORKSPACE, consumer).inc(entry.egress_bytes)
