"""The local stand-in for Kong: routes by the declarative file, starts functions via the activator.

Answers like Kong does (status codes, messages, Via and latency headers) and enforces the
plugins of the same file (`localrun.gateway.plugins`: jwt, rate-limiting, cors, correlation-id,
request-size-limiting), so clients and tests see the same gateway on a laptop as in the
cluster. The per-request work is in `proxy.py`; Kong's Status API (`/metrics` of the whole
system, `/status`, and `/status/stack` for `make status`) is the status listener, `status.py`.
"""

from __future__ import annotations

import itertools
import logging
import socket
import socketserver
import threading
from collections.abc import Callable, Mapping
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

from localrun.gateway.kong import Router
from localrun.gateway.plugins import GatewayPlugins, load_gateway
from localrun.gateway.proxy import DEFAULT_HEADERS, ProxyHandler, kong_headers
from localrun.gateway.status import StatusListener, SystemMetrics
from localrun.gateway.vault import secrets_env
from localrun.gateway.wire import Pool
from localrun.serving.activator import Activator
from localrun.serving.cluster_local import ClusterLocalGateway
from localrun.serving.manifests import load_documents, load_services, plain_env

__all__ = ["Gateway", "GatewayServer", "serve"]
log = logging.getLogger(__name__)


class GatewayServer(ThreadingHTTPServer):
    """A threaded HTTP/1.1 server that knows its router, activator and upstream pool."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    block_on_close = False

    def __init__(self, address: tuple[str, int], router: Router, activator: Activator,
                 pool: Pool, upstreams: Mapping[str, tuple[str, int]],
                 plugins: GatewayPlugins | None = None, headers: frozenset[str] = DEFAULT_HEADERS) -> None:
        self.router, self.activator, self.pool, self.upstreams = router, activator, pool, upstreams
        self.plugins = plugins
        self.kong_headers = headers  # Kong's `headers` setting, as lower-cased header names
        self._connection_ids = itertools.count(1)
        self.connections_accepted = 0
        self.requests_total = 0  # nginx's total_requests, for the status API and kong_nginx_requests_total
        self._clients: set[socket.socket] = set()
        self._clients_lock = threading.Lock()
        super().__init__(address, ProxyHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN: a DNS query we never need.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def next_connection_id(self) -> int:
        """Return a serial number for a new client connection (nginx's $connection)."""
        self.connections_accepted = connection = next(self._connection_ids)
        return connection

    def count_request(self) -> None:
        self.requests_total += 1  # a lost increment between threads only blurs a gauge

    def stats(self) -> tuple[int, int, int]:
        """Return (requests, connections accepted, connections open) so far."""
        with self._clients_lock:
            active = len(self._clients)
        return self.requests_total, self.connections_accepted, active

    def track(self, sock: socket.socket, open_: bool) -> None:
        """Remember (or forget) an open client connection, for close_clients."""
        with self._clients_lock:
            if open_:
                self._clients.add(sock)
            else:
                self._clients.discard(sock)

    def close_clients(self) -> None:
        """Shut down every open client connection so no keep-alive thread outlives stop()."""
        with self._clients_lock:
            clients, self._clients = self._clients, set()
        for sock in clients:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Gateway:
    """Serves the Kong routes on host:port in a background thread."""

    def __init__(self, router: Router, activator: Activator, host: str = "127.0.0.1", port: int = 8080, *,
                 upstreams: Mapping[str, tuple[str, int]] | None = None, upstream_timeout: float = 60.0,
                 plugins: GatewayPlugins | None = None, headers: frozenset[str] = DEFAULT_HEADERS,
                 status_port: int | None = None) -> None:
        # upstreams: fixed addresses for ksvc names that are not functions (a local broker, say).
        # plugins: from localrun.gateway.plugins.load_gateway / build_plugins; None proxies without any.
        # status_port: where Kong's Status API (/status, /metrics; localrun/gateway/status.py)
        # listens on host, 0 for any free port; None: not served.
        self.router, self.activator, self.host, self.port = router, activator, host, port
        self.status_port = status_port
        self.status: StatusListener | None = None
        self._status_parts: dict[str, Callable[[], Any]] = {}
        self.plugins = plugins
        self.headers = headers
        self.upstreams = dict(upstreams or {})
        self.pool = Pool(timeout=upstream_timeout)
        self._server: GatewayServer | None = None
        self._thread: threading.Thread | None = None
        self.companions: list[ClusterLocalGateway] = []  # servers that stop with this one

    @property
    def url(self) -> str:
        """Return the base URL clients use (the real port once started with port 0)."""
        return f"http://{self.host}:{self.port}"

    @property
    def status_url(self) -> str:
        """Return the status listener's base URL (/metrics, /status/stack); raise when not served."""
        if self.status is None:
            raise RuntimeError("the gateway serves no status listener (status_port None, or not started)")
        return self.status.url

    def add_status(self, name: str, provide: Callable[[], Any]) -> None:
        """Show `provide()` (JSON-able) under `name` in /status/stack, what `make status` prints."""
        self._status_parts[name] = provide  # the running listener reads this same mapping

    def add_upstream(self, ksvc: str, address: tuple[str, int]) -> None:
        """Send routes to Knative Service `ksvc` to a fixed address (the local broker's ingress)."""
        self.upstreams[ksvc] = address  # the running server reads this same mapping

    def start(self) -> None:
        """Bind and serve in a background thread; raise OSError when the port is taken."""
        self._server = GatewayServer((self.host, self.port), self.router, self.activator,
                                     self.pool, self.upstreams, self.plugins, self.headers)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="localrun-gateway", daemon=True)
        self._thread.start()
        log.info("gateway listening on %s", self.url)
        if self.status_port is not None:
            kong = self.plugins.metrics if self.plugins is not None else None
            try:
                self.status = StatusListener(SystemMetrics(kong, self.activator, self._server.stats), self.activator,
                                             self.host, self.status_port, self._status_parts, self._server.stats)
            except BaseException:
                self.stop()
                raise
            log.info("gateway status API (/metrics, /status) on %s", self.status.url)

    def stop(self) -> None:
        """Stop accepting, cut open client connections, close upstream connections."""
        for companion in self.companions:
            companion.stop()
        if self.status is not None:
            self.status.stop()
            self.status = None
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server.close_clients()
        self.pool.clear()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None


def kong_conf(deployment: Path) -> dict[str, str]:
    """Return the KONG_* environment of the Kong container in knative/kong/gateway.yaml ({} if absent).

    The cluster's Kong reads its kong.conf settings from these variables; the local gateway
    reads the ones it implements (KONG_HEADERS) from the same place, so both answer alike.
    """
    if not deployment.exists():
        return {}
    for doc in load_documents(deployment):
        if not isinstance(doc, dict) or doc.get("kind") != "Deployment":
            continue
        for container in doc["spec"]["template"]["spec"].get("containers") or []:
            if container.get("name") == "kong":
                return {k: v for k, v in plain_env(container).items() if k.startswith("KONG_")}
    return {}


def status_listen_port(setting: str | None) -> int | None:
    """Return the port of Kong's status_listen setting ("0.0.0.0:8100" -> 8100; "off"/unset: None)."""
    if not setting or setting.strip().lower() == "off":
        return None
    first = setting.split(",")[0].strip().split()[0]
    try:
        return int(first.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        raise ValueError(f"KONG_STATUS_LISTEN {setting!r}: expected host:port") from None


def default_status_port(repo_root: Path) -> int | None:
    """Return the port of the cluster's Kong status listener (knative/kong/gateway.yaml), if any."""
    return status_listen_port(kong_conf(Path(repo_root) / "knative" / "kong" / "gateway.yaml")
                              .get("KONG_STATUS_LISTEN"))


def serve(repo_root: Path, secrets: Mapping[tuple[str, str], str], host: str = "127.0.0.1", port: int = 8080,
          idle_seconds: float = 60.0, *,
          kong_env: Mapping[str, str] | None = None,
          log_to: IO[Any] | None = None, status_port: int | None = None) -> tuple[Gateway, Activator]:
    """Return a started gateway and its activator; stop both with gateway.stop(); activator.shutdown().

    The declarative file's `{vault://env/<name>}` references read `<NAME>` from kong_env (e.g.
    {"ECOM_JWT_PUBLIC_KEY": pem}), then from the secrets as env variables (Secret `ecom-jwt` key
    `public.pem` is ECOM_JWT_PUBLIC_PEM, see localrun.gateway.vault.secrets_env), then os.environ;
    an unresolvable reference raises ValueError. `log_to` receives every function process's
    output (their stderr by default), for a test that reads what the functions logged.
    `status_port` is the status listener's (/metrics, /status; 0 any free port; None: none);
    `make dev` passes GATEWAY_STATUS_PORT, by default KONG_STATUS_LISTEN's (`default_status_port`).
    """
    repo_root = Path(repo_root).resolve()
    specs = load_services(repo_root / "knative", secrets)
    env = {**secrets_env(secrets), **(kong_env or {})}
    router, plugins = load_gateway(repo_root / "knative" / "kong" / "kong.yaml", env)
    for missing in sorted(router.ksvcs - specs.keys()):
        log.warning("kong routes lead to %s, which no Knative Service manifest defines", missing)
    activator = Activator(specs, repo_root, idle_seconds=idle_seconds, log_to=log_to)
    cluster_local = ClusterLocalGateway(activator, host)  # function-to-function calls
    cluster_local.start()
    activator.launcher.add_env(CLUSTER_LOCAL_GATEWAY=cluster_local.address)
    conf = kong_conf(repo_root / "knative" / "kong" / "gateway.yaml")
    gateway = Gateway(router, activator, host, port, plugins=plugins,
                      headers=kong_headers(conf.get("KONG_HEADERS")), status_port=status_port)
    gateway.companions.append(cluster_local)
    try:
        gateway.start()
    except BaseException:
        cluster_local.stop()
        activator.shutdown()
        raise
    # min-scale > 0 functions start in the background so the gateway answers at once.
    threading.Thread(target=activator.prewarm, name="localrun-prewarm", daemon=True).start()
    return gateway, activator
