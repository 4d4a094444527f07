"""Code, Knative Services and Kong routes agree: one Service and one route per function."""

from __future__ import annotations

import importlib
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from localrun.serving.manifests import iter_documents, knative_services, load_documents, plain_env

REPO = Path(__file__).resolve().parents[2]
KNATIVE = REPO / "knative"
KONG_FILE = KNATIVE / "kong" / "kong.yaml"


def function_targets() -> dict[tuple[str, str], object]:
    """Return every function in the code by (source file, target name)."""
    found = {}
    for main in sorted((REPO / "functions").glob("*/main.py")):
        module = importlib.import_module(f"functions.{main.parent.name}.main")
        for name in module.__all__:
            found[(str(main.relative_to(REPO)), name)] = getattr(module, name)
    return found


def reached_by_events(function: object) -> bool:
    """Whether the broker reaches the function (a Trigger's handler, a PingSource's or the
    dead-letter sink's receiver) rather than Kong."""
    return any(hasattr(function, mark) for mark in ("event_types", "ping_source", "dead_letter_sink"))


def env_of(service: dict) -> dict[str, str]:
    return plain_env(service["spec"]["template"]["spec"]["containers"][0])


def kong_services() -> list[dict]:
    return load_documents(KONG_FILE)[0]["services"]


def ksvc_of(kong_service: dict) -> str:
    return urlsplit(kong_service["url"]).hostname.split(".")[0]


TARGETS = function_targets()
SERVICES = knative_services(KNATIVE)


def test_the_code_has_functions_to_check():
    assert len(TARGETS) >= 5 and len(SERVICES) >= 5


@pytest.mark.parametrize("source, target", sorted(TARGETS))
def test_every_function_has_exactly_one_knative_service(source, target):
    matching = [s for s in SERVICES
                if (env_of(s).get("FUNCTION_SOURCE"), env_of(s).get("FUNCTION_TARGET")) == (source, target)]
    assert len(matching) == 1, f"{source}:{target} has {len(matching)} Knative Services"
    domain = Path(source).parent.name
    assert matching[0]["metadata"]["name"] == f"{domain}-{target.replace('_', '-')}"


def test_every_knative_service_runs_a_function_that_exists():
    for service in SERVICES:
        env = env_of(service)
        assert (env.get("FUNCTION_SOURCE"), env.get("FUNCTION_TARGET")) in TARGETS, service["metadata"]["name"]


def test_every_knative_service_scales_to_zero():
    for service in SERVICES:
        annotations = service["spec"]["template"]["metadata"]["annotations"]
        assert annotations.get("autoscaling.knative.dev/min-scale") == "0", service["metadata"]["name"]


def test_service_names_are_unique():
    assert not [n for n, c in Counter(s["metadata"]["name"] for s in SERVICES).items() if c > 1]


def broker_ingresses() -> set[str]:
    """Return the cluster addresses of the Brokers' ingresses (routes may lead there too)."""
    found = set()
    for _, doc in iter_documents(KNATIVE):
        if doc.get("kind") == "Broker":
            meta = doc["metadata"]
            found.add(f"{meta['name']}-broker-ingress.{meta['namespace']}.svc.cluster.local")
    return found


def test_every_method_of_every_http_function_is_routed_exactly_once():
    """Routes may split a function's methods (public reads, signed-in writes), never overlap."""
    by_ksvc = {name: function for name, function in functions_by_ksvc().items()
               if not reached_by_events(function)}
    routed: dict[str, Counter] = {name: Counter() for name in by_ksvc}
    for kong_service in kong_services():
        if urlsplit(kong_service["url"]).hostname in broker_ingresses():
            continue
        function = by_ksvc.get(ksvc_of(kong_service))
        for route in kong_service.get("routes", []):
            assert function is not None, f"route {route['name']} leads to no HTTP function"
            extra = {"OPTIONS"} | ({"HEAD"} if "GET" in function.methods else set())
            assert set(route["methods"]) <= set(function.methods) | extra, route["name"]
            routed[ksvc_of(kong_service)].update(m for m in route["methods"] if m not in extra)
    for name, function in by_ksvc.items():
        assert routed[name] == Counter(function.methods), name


def functions_by_ksvc() -> dict[str, object]:
    return {s["metadata"]["name"]: TARGETS[(env_of(s)["FUNCTION_SOURCE"], env_of(s)["FUNCTION_TARGET"])]
            for s in SERVICES}


def triggers() -> list[dict]:
    return [doc for _, doc in iter_documents(KNATIVE) if doc.get("kind") == "Trigger"]


def test_every_event_handler_has_exactly_one_trigger_for_each_of_its_types_and_no_route():
    handlers = {name: f for name, f in functions_by_ksvc().items() if hasattr(f, "event_types")}
    assert handlers, "the code has event handlers to check"
    routed = {ksvc_of(k) for k in kong_services()}
    for name, handler in handlers.items():
        mine = [t["spec"]["filter"]["attributes"]["type"] for t in triggers()
                if t["spec"]["subscriber"]["ref"]["name"] == name]
        assert sorted(mine) == sorted(handler.event_types), f"{name}: Triggers for {mine}"
        assert name not in routed, f"{name} is an event handler: no Kong route leads to it"


def test_every_kong_route_points_at_a_knative_service_that_exists():
    addresses = {f"{s['metadata']['name']}.{s['metadata']['namespace']}.svc.cluster.local"
                 for s in SERVICES}
    for kong_service in kong_services():
        assert urlsplit(kong_service["url"]).hostname in addresses | broker_ingresses(), kong_service["name"]


def test_every_ping_handler_is_the_sink_of_its_pingsource_and_has_no_route():
    sinks = {doc["metadata"]["name"]: doc["spec"]["sink"]["ref"]["name"] for _, doc in iter_documents(KNATIVE)
             if doc.get("kind") == "PingSource"}
    handlers = {name: f for name, f in functions_by_ksvc().items() if hasattr(f, "ping_source")}
    assert handlers, "the code has PingSource sinks to check"
    routed = {ksvc_of(k) for k in kong_services()}
    for name, handler in handlers.items():
        assert sinks.get(handler.ping_source) == name, f"{name}: PingSource {handler.ping_source}: {sinks}"
        assert name not in routed, f"{name} is a PingSource's sink: no Kong route leads to it"
    assert set(sinks.values()) <= set(handlers), "a PingSource sinks to a function that is no ping handler"


def test_every_dead_letter_receiver_is_where_its_sink_forwards_and_has_no_route():
    """The sink's Service names the receiver (the local broker forwards there), its Deployment's
    FORWARD_TO is the receiver's address (the sink forwards there), and every Trigger's
    deadLetterSink is that Service."""
    docs = [doc for _, doc in iter_documents(KNATIVE)]
    receivers = {name: f for name, f in functions_by_ksvc().items() if hasattr(f, "dead_letter_sink")}
    assert receivers, "the code has a dead-letter receiver to check"
    routed = {ksvc_of(k) for k in kong_services()}
    for name, receiver in receivers.items():
        service, = [d for d in docs if d.get("kind") == "Service" and d.get("apiVersion") == "v1"
                    and d["metadata"]["name"] == receiver.dead_letter_sink]
        assert service["metadata"]["annotations"]["ecom.dev/forwards-to"] == name
        deployment, = [d for d in docs if d.get("kind") == "Deployment"
                       and d["spec"]["template"]["metadata"]["labels"] == service["spec"]["selector"]]
        env = plain_env(deployment["spec"]["template"]["spec"]["containers"][0])
        assert env["FORWARD_TO"] == f"http://{name}.{service['metadata']['namespace']}.svc.cluster.local"
        assert name not in routed, f"{name} receives dead letters: no Kong route leads to it"
    sinks = {d["metadata"]["name"] for d in docs if d.get("kind") == "Service" and d.get("apiVersion") == "v1"
             and "ecom.dev/forwards-to" in (d["metadata"].get("annotations") or {})}
    for doc in docs:
        if doc.get("kind") in ("Trigger", "Broker"):
            sink = doc["spec"]["delivery"]["deadLetterSink"]["ref"]["name"]
            assert sink in sinks, f"{doc['metadata']['name']}: its dead letters are not forwarded"
