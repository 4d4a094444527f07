"""The local gateway and activator run real function processes: cold start, reuse, scale to zero."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from localrun.gateway.kong import Router
from localrun.gateway.server import Gateway
from localrun.serving.activator import Activator
from localrun.serving.manifests import load_services

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[3]
IDLE_SECONDS = 1.5

ECHO_SOURCE = '''
import os
import time

import flask
import functions_framework


@functions_framework.http
def echo(request):
    if request.path.endswith("/stream"):
        # No Content-Length: gunicorn answers chunked, the gateway must re-chunk it.
        return flask.Response((f"part{i};" for i in range(3)), mimetype="text/plain")
    if request.path.endswith("/slow"):
        time.sleep(float(request.args.get("s", "2")))
    payload = {
        "method": request.method,
        "path": request.path,
        "query": request.query_string.decode(),
        "body": request.get_data(as_text=True),
        "request_id": request.headers.get("X-Request-ID"),
        "host": request.headers.get("Host"),
        "forwarded_for": request.headers.get("X-Forwarded-For"),
        "forwarded_path": request.headers.get("X-Forwarded-Path"),
        "greeting": os.environ.get("GREETING"),
        "k_service": os.environ.get("K_SERVICE"),
        "pid": os.getpid(),
    }
    return flask.jsonify(payload), 200, {"X-Request-ID": request.headers.get("X-Request-ID", "")}
'''


def ksvc(name: str, source: str, target: str) -> dict[str, Any]:
    env = [{"name": "FUNCTION_SOURCE", "value": source}, {"name": "FUNCTION_TARGET", "value": target},
           {"name": "GREETING", "value": f"hello from {name}"}]
    return {"apiVersion": "serving.knative.dev/v1", "kind": "Service",
            "metadata": {"name": name, "namespace": "test"},
            "spec": {"template": {"metadata": {"annotations": {"autoscaling.knative.dev/min-scale": "0"}},
                                  "spec": {"containers": [{"image": "x", "env": env}]}}}}


def kong_service(name: str, path: str, url_path: str = "", **route: Any) -> dict[str, Any]:
    return {"name": name, "url": f"http://{name}.test.svc.cluster.local{url_path}",
            "routes": [{"name": name, "paths": [path], **route}]}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny repository: echo functions, one that crashes at import, their manifests and routes."""
    root = tmp_path_factory.mktemp("project")
    (root / "fns").mkdir()
    (root / "fns" / "echo.py").write_text(ECHO_SOURCE)
    (root / "fns" / "crash.py").write_text("raise RuntimeError('this function crashes at import')\n")
    services = [ksvc(n, "fns/echo.py", "echo") for n in ("echo", "burst", "idle", "bye")]
    services.append(ksvc("crasher", "fns/crash.py", "crash"))
    (root / "knative" / "kong").mkdir(parents=True)
    (root / "knative" / "services.yaml").write_text(yaml.safe_dump_all(services))
    kong = {"_format_version": "3.0", "services": [
        kong_service("echo", "~/api/echo(/.*)?$", methods=["GET", "POST", "PUT"], strip_path=False),
        kong_service("burst", "/burst"),
        kong_service("idle", "/idle", url_path="/base"),
        kong_service("bye", "/bye"),
        kong_service("crasher", "/crash"),
    ]}
    (root / "knative" / "kong" / "kong.yaml").write_text(yaml.safe_dump(kong))
    return root


def start_stack(project: Path, **gateway_options: Any) -> tuple[Gateway, Activator]:
    specs = load_services(project / "knative", {})
    activator = Activator(specs, project, idle_seconds=IDLE_SECONDS, start_timeout=15)
    gateway = Gateway(Router.from_file(project / "knative" / "kong" / "kong.yaml"), activator,
                      port=0, **gateway_options)
    gateway.start()
    return gateway, activator


@pytest.fixture(scope="module")
def stack(project: Path) -> Iterator[tuple[Gateway, Activator]]:
    gateway, activator = start_stack(project, upstream_timeout=1.0)
    yield gateway, activator
    gateway.stop()
    activator.shutdown()


@pytest.fixture()
def gateway(stack: tuple[Gateway, Activator]) -> Gateway:
    return stack[0]


@pytest.fixture()
def activator(stack: tuple[Gateway, Activator]) -> Activator:
    return stack[1]


def call(gw: Gateway, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
         timeout: float = 20) -> tuple[int, http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection(gw.host, gw.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp, resp.read()
    finally:
        conn.close()


def alive(pid: int) -> bool:
    """Whether pid is a live process (a zombie is dead: it only waits to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def eventually(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


class TestColdStart:
    def test_first_request_starts_a_scaled_to_zero_function(
        self, gateway: Gateway, activator: Activator
    ) -> None:
        status, _, body = call(gateway, "GET", "/api/echo")
        assert status == 200
        payload = json.loads(body)
        assert payload["k_service"] == "echo" and payload["greeting"] == "hello from echo"
        assert alive(activator.running()["echo"]) and alive(payload["pid"])

    def test_warm_requests_reuse_the_process(self, gateway: Gateway, activator: Activator) -> None:
        call(gateway, "GET", "/api/echo")
        starts = activator.starts["echo"]
        pids = {json.loads(call(gateway, "GET", "/api/echo")[2])["pid"] for _ in range(5)}
        assert len(pids) == 1 and activator.starts["echo"] == starts

    def test_concurrent_requests_to_a_cold_function_start_one_process(
        self, gateway: Gateway, activator: Activator
    ) -> None:
        assert "burst" not in activator.running()
        barrier = threading.Barrier(10)
        results: list[tuple[int, bytes]] = []

        def one(i: int) -> None:
            barrier.wait(timeout=10)
            status, _, body = call(gateway, "GET", f"/burst?i={i}")
            results.append((status, body))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert [s for s, _ in results] == [200] * 10
        assert len({json.loads(b)["pid"] for _, b in results}) == 1
        assert activator.starts["burst"] == 1


class TestScaleToZero:
    def test_idle_function_is_stopped_and_started_again_on_demand(
        self, gateway: Gateway, activator: Activator
    ) -> None:
        _, _, body = call(gateway, "GET", "/idle")
        worker = json.loads(body)["pid"]
        master = activator.running()["idle"]
        assert eventually(lambda: not alive(master) and not alive(worker), IDLE_SECONDS + 8)
        assert "idle" not in activator.running()
        status, _, body = call(gateway, "GET", "/idle")
        assert status == 200 and json.loads(body)["pid"] != worker
        assert activator.starts["idle"] == 2 and activator.stops["idle"] >= 1


class TestRouting:
    def test_unmatched_path_answers_kong_404(self, gateway: Gateway) -> None:
        status, resp, body = call(gateway, "GET", "/nowhere")
        assert status == 404 and json.loads(body) == {"message": "no Route matched with those values",
                                                      "request_id": resp.getheader("X-Kong-Request-Id")}
        assert resp.getheader("Content-Type", "").startswith("application/json")

    def test_method_mismatch_answers_kong_404(self, gateway: Gateway) -> None:
        status, _, body = call(gateway, "DELETE", "/api/echo")
        assert status == 404 and json.loads(body)["message"] == "no Route matched with those values"

    def test_strip_path_and_service_path_shape_the_upstream_path(self, gateway: Gateway) -> None:
        _, _, body = call(gateway, "GET", "/idle/x?y=1")
        payload = json.loads(body)
        assert payload["path"] == "/base/x" and payload["query"] == "y=1"
        assert payload["forwarded_path"] == "/idle/x"


class TestForwarding:
    def test_body_and_query_arrive_intact(self, gateway: Gateway) -> None:
        body = json.dumps({"name": "Crème brûlée", "qty": 2}).encode()
        status, _, answer = call(gateway, "POST", "/api/echo/items?q=a%20b&tag=1&tag=2", body=body,
                                 headers={"Content-Type": "application/json"})
        payload = json.loads(answer)
        assert status == 200 and payload["method"] == "POST" and payload["path"] == "/api/echo/items"
        assert payload["query"] == "q=a%20b&tag=1&tag=2" and payload["body"].encode() == body

    def test_request_id_passes_through_both_ways(self, gateway: Gateway) -> None:
        _, resp, body = call(gateway, "GET", "/api/echo", headers={"X-Request-ID": "req-123"})
        assert json.loads(body)["request_id"] == "req-123" and resp.getheader("X-Request-ID") == "req-123"

    def test_kong_headers_are_set_both_ways(self, gateway: Gateway) -> None:
        _, resp, body = call(gateway, "GET", "/api/echo", headers={"X-Forwarded-For": "10.0.0.1"})
        payload = json.loads(body)
        assert payload["host"] == "echo.test.svc.cluster.local"
        assert payload["forwarded_for"] == "10.0.0.1, 127.0.0.1"
        assert resp.getheader("Via") == "1.1 kong/3.9.0-local"
        assert resp.getheader("X-Kong-Upstream-Latency") is not None
        assert resp.getheader("X-Kong-Proxy-Latency") is not None

    def test_response_without_length_is_rechunked(self, gateway: Gateway) -> None:
        status, resp, body = call(gateway, "GET", "/api/echo/stream")
        assert status == 200 and body == b"part0;part1;part2;"
        assert resp.getheader("Transfer-Encoding") == "chunked"

    def test_chunked_request_body_is_forwarded_with_a_length(self, gateway: Gateway) -> None:
        conn = http.client.HTTPConnection(gateway.host, gateway.port, timeout=20)
        try:
            conn.request("PUT", "/api/echo", body=iter([b"abc", b"def"]), encode_chunked=True)
            payload = json.loads(conn.getresponse().read())
        finally:
            conn.close()
        assert payload["method"] == "PUT" and payload["body"] == "abcdef"

    def test_client_connection_is_kept_alive_across_requests(self, gateway: Gateway) -> None:
        conn = http.client.HTTPConnection(gateway.host, gateway.port, timeout=20)
        try:
            for i in range(3):
                conn.request("GET", f"/api/echo?n={i}")
                resp = conn.getresponse()
                assert resp.status == 200 and json.loads(resp.read())["query"] == f"n={i}"
                assert not resp.will_close
        finally:
            conn.close()

    def test_slow_upstream_answers_504(self, gateway: Gateway) -> None:
        status, resp, body = call(gateway, "GET", "/api/echo/slow?s=2.5")
        assert status == 504 and json.loads(body) == {"message": "The upstream server is timing out",
                                                      "request_id": resp.getheader("X-Kong-Request-Id")}


class TestFailures:
    def test_function_crashing_at_import_fails_fast_and_gateway_stays_healthy(
        self, gateway: Gateway, activator: Activator
    ) -> None:
        started = time.monotonic()
        status, _, body = call(gateway, "GET", "/crash")
        assert status in (502, 503) and "message" in json.loads(body)
        assert time.monotonic() - started < 10
        assert "crasher" not in activator.running()
        assert call(gateway, "GET", "/api/echo")[0] == 200

    def test_function_killed_while_warm_is_replaced_on_a_later_request(
        self, gateway: Gateway, activator: Activator
    ) -> None:
        call(gateway, "GET", "/api/echo")
        os.killpg(activator.running()["echo"], signal.SIGKILL)
        statuses = [call(gateway, "GET", "/api/echo")[0] for _ in range(2)]
        assert statuses[-1] == 200 and set(statuses) <= {200, 502}


class TestShutdown:
    def test_stop_and_shutdown_leave_no_process_behind(self, project: Path) -> None:
        gateway, activator = start_stack(project)
        try:
            worker = json.loads(call(gateway, "GET", "/bye")[2])["pid"]
            master = activator.running()["bye"]
        finally:
            gateway.stop()
            activator.shutdown()
        assert eventually(lambda: not alive(master) and not alive(worker), 3)
        assert activator.running() == {}

    def test_functions_die_with_a_killed_runtime(self, project: Path) -> None:
        script = (
            "import sys, time\nfrom pathlib import Path\n"
            "from localrun.serving.activator import Activator\nfrom localrun.serving.manifests import load_services\n"
            "root = Path(sys.argv[1])\n"
            "a = Activator(load_services(root / 'knative', {}), root)\n"
            "host, port = a.ensure('bye')\n"
            "print(a.running()['bye'], port, flush=True)\ntime.sleep(60)\n"
        )
        runtime = subprocess.Popen([sys.executable, "-c", script, str(project)], stdout=subprocess.PIPE,
                                   env={**os.environ, "PYTHONPATH": str(REPO)}, start_new_session=True)
        try:
            line = runtime.stdout.readline() if runtime.stdout else b""
            master, port = map(int, line.split())
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/")
            worker = json.loads(conn.getresponse().read())["pid"]
            conn.close()
        finally:
            runtime.kill()
            runtime.wait(timeout=10)
        assert eventually(lambda: not alive(master) and not alive(worker), 8)
