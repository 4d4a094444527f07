"""Knative Eventing rules the webhooks (or eventing-rabbitmq's behaviour) enforce: CRDs cannot.

The RabbitMQ Broker's class and config, delivery specs, the Trigger filter form eventing-rabbitmq
implements (spec.filter.attributes, exact matches), the parallelism annotation, PingSource cron
schedules; and every reference (subscriber, dead-letter sink, sink, broker) resolves to an object
the manifests define. Read from the sources of Eventing 1.22 and eventing-rabbitmq 1.22.
"""

from __future__ import annotations

import re
from typing import Any

from localrun.broker.cron import Cron
from tests.manifests.checks.project import Doc, Project
from tests.manifests.checks.serving import in_range

_ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(?:[.,]\d+)?S)?)?$")


def _resolves(project: Project, ref: dict[str, Any], namespace: str, kinds: set[tuple[str, str]]) -> bool:
    group = str(ref.get("apiVersion", "")).rpartition("/")[0]
    if (group, ref.get("kind")) not in kinds:
        return False
    return (
        project.find(group, str(ref["kind"]), str(ref.get("name")), ref.get("namespace") or namespace)
        is not None
    )


SINKS = {("", "Service"), ("serving.knative.dev", "Service"), ("eventing.knative.dev", "Broker")}


def _destination(project: Project, doc: Doc, dest: Any, what: str) -> list[str]:
    """A destination (ref or absolute uri) resolves to a Service, Knative Service or Broker we define."""
    if not isinstance(dest, dict) or not (dest.get("ref") or dest.get("uri")):
        return [f"{doc}: {what} needs a ref (or an absolute uri)"]
    if dest.get("ref"):
        if not _resolves(project, dest["ref"], doc.namespace, SINKS):
            return [
                f"{doc}: {what} ref {dest['ref']} is not a Service, Knative Service or Broker "
                "defined in the manifests"
            ]
    elif not re.match(r"^https?://[^/]+", str(dest["uri"])):
        return [f"{doc}: {what} uri {dest['uri']!r} is not an absolute http(s) URL"]
    return []


def _delivery(project: Project, doc: Doc, delivery: dict[str, Any]) -> list[str]:
    problems = []
    if "backoffPolicy" in delivery and delivery["backoffPolicy"] not in ("linear", "exponential"):
        problems.append(
            f"{doc}: delivery.backoffPolicy {delivery['backoffPolicy']!r} must be linear or exponential"
        )
    if "backoffDelay" in delivery and not _ISO_DURATION.match(str(delivery["backoffDelay"])):
        problems.append(
            f"{doc}: delivery.backoffDelay {delivery['backoffDelay']!r} is not an ISO 8601 "
            "duration (e.g. PT0.5S)"
        )
    retry = delivery.get("retry")
    if retry is not None and (not isinstance(retry, int) or retry < 0):
        problems.append(f"{doc}: delivery.retry {retry!r} must be an integer >= 0")
    if "deadLetterSink" in delivery:
        problems += _destination(project, doc, delivery["deadLetterSink"], "delivery.deadLetterSink")
    return problems


def check_broker(project: Project) -> list[str]:
    """Every Broker is a RabbitMQ broker whose spec.config leads to a RabbitmqCluster (quorum queues)."""
    problems = []
    for doc in project.objects("eventing.knative.dev", "Broker"):
        cls = (doc.meta.get("annotations") or {}).get("eventing.knative.dev/broker.class")
        if cls != "RabbitMQBroker":
            problems.append(
                f"{doc}: annotation eventing.knative.dev/broker.class must be RabbitMQBroker "
                f"(is {cls!r}); it cannot be changed after creation"
            )
        config = doc.spec.get("config") or {}
        if (config.get("apiVersion"), config.get("kind")) != (
            "eventing.knative.dev/v1alpha1",
            "RabbitmqBrokerConfig",
        ):
            problems.append(
                f"{doc}: spec.config must reference a RabbitmqBrokerConfig (eventing.knative.dev/v1alpha1)"
            )
        else:
            ns = config.get("namespace") or doc.namespace
            broker_config = project.find(
                "eventing.knative.dev", "RabbitmqBrokerConfig", str(config.get("name")), ns
            )
            if broker_config is None:
                problems.append(
                    f"{doc}: spec.config names RabbitmqBrokerConfig {config.get('name')!r}, "
                    "which the manifests do not define"
                )
            else:
                problems += _broker_config(project, broker_config)
        problems += _delivery(project, doc, doc.spec.get("delivery") or {})
    return problems


def _broker_config(project: Project, doc: Doc) -> list[str]:
    problems = []
    ref = doc.spec.get("rabbitmqClusterReference") or {}
    if (
        project.find(
            "rabbitmq.com", "RabbitmqCluster", str(ref.get("name")), ref.get("namespace") or doc.namespace
        )
        is None
    ):
        problems.append(
            f"{doc}: rabbitmqClusterReference {ref} is not a RabbitmqCluster the manifests define"
        )
    if doc.spec.get("queueType") != "quorum":
        problems.append(f"{doc}: queueType must be quorum (replicated, survives a restart)")
    return problems


def check_triggers(project: Project) -> list[str]:
    """Triggers filter the way eventing-rabbitmq filters and deliver with retries to a dead-letter sink."""
    problems = []
    for doc in project.objects("eventing.knative.dev", "Trigger"):
        spec = doc.spec
        if "filters" in spec:
            problems.append(
                f"{doc}: spec.filters is ignored by eventing-rabbitmq: use spec.filter.attributes"
            )
        attributes = (spec.get("filter") or {}).get("attributes")
        if not isinstance(attributes, dict) or not attributes:
            problems.append(f"{doc}: spec.filter.attributes must map CloudEvent attributes to exact values")
            attributes = {}
        for key, value in attributes.items():
            if not isinstance(value, str):
                problems.append(f"{doc}: filter attribute {key} must be a string, not {value!r}")
        event_type = attributes.get("type")
        if event_type not in project.event_types:
            problems.append(f"{doc}: filter type {event_type!r} is not in events/catalog.yaml")
        if project.find("eventing.knative.dev", "Broker", str(spec.get("broker")), doc.namespace) is None:
            problems.append(f"{doc}: spec.broker {spec.get('broker')!r} is not a Broker the manifests define")
        ref = (spec.get("subscriber") or {}).get("ref") or {}
        if not _resolves(project, ref, doc.namespace, {("serving.knative.dev", "Service")}):
            problems.append(
                f"{doc}: subscriber {ref or spec.get('subscriber')} is not a Knative Service "
                "the manifests define"
            )
        parallelism = (doc.meta.get("annotations") or {}).get("rabbitmq.eventing.knative.dev/parallelism")
        if parallelism is not None and in_range(1, 1000, integer=True)(str(parallelism)) is not None:
            problems.append(
                f"{doc}: rabbitmq.eventing.knative.dev/parallelism {parallelism!r} must be "
                "an integer string 1..1000"
            )
        delivery = spec.get("delivery") or {}
        if not (
            isinstance(delivery.get("retry"), int)
            and delivery["retry"] > 0
            and delivery.get("backoffPolicy") == "exponential"
            and delivery.get("deadLetterSink")
        ):
            problems.append(
                f"{doc}: delivery must retry (retry > 0) with exponential backoff, then "
                "go to the dead-letter sink; without it a failed event is dropped"
            )
        problems += _delivery(project, doc, delivery)
    return problems


def cron_problem(schedule: str) -> str | None:
    """Return why `schedule` is not a standard 5-field cron expression, or None when it is."""
    try:
        Cron(schedule)  # the local broker's reader: croniter, held to robfig's standard parser
    except ValueError as exc:
        return str(exc)
    return None


def check_pingsources(project: Project) -> list[str]:
    """PingSources have a valid 5-field cron schedule and a sink the manifests define."""
    problems = []
    for doc in project.objects("sources.knative.dev", "PingSource"):
        schedule = str(doc.spec.get("schedule", ""))
        if (why := cron_problem(schedule)) is not None:
            problems.append(f"{doc}: schedule {schedule!r} {why}")
        problems += _destination(project, doc, doc.spec.get("sink"), "spec.sink")
    return problems


def _relay_exchanges(project: Project) -> dict[str, str]:
    """Return {domain: the exchange its relay publishes to} for every relay Deployment."""
    found = {}
    for doc in project.objects("apps", "Deployment"):
        for container in ((doc.spec.get("template") or {}).get("spec") or {}).get("containers") or []:
            command = [str(c) for c in container.get("command") or []] + [str(a) for a in container.get("args") or []]
            if command[:3] == ["python", "-m", "functions.runtime.relay"] and "--domain" in command:
                env = {e["name"]: e.get("value") for e in container.get("env") or []}
                domain = command[command.index("--domain") + 1]
                found[domain] = str(env.get("EVENTS_EXCHANGE") or "ecom.events")  # the relay's default
    return found


def check_relays_and_bridge(project: Project) -> list[str]:
    """Each domain's outbox is relayed, and a RabbitmqSource carries the relays' exchange into a Broker.

    eventing-rabbitmq binds Triggers only to the Broker's own headers exchange: without the bridge
    no relayed event reaches a handler. A source that declares its own objects (predeclared false)
    declares its exchange as a headers exchange (pkg/rabbit/exchange.go), which clashes with the
    relays' topic exchange: the queue and binding are ours, and the source consumes the queue.
    """
    exchanges = _relay_exchanges(project)
    problems = [
        f"domain {d}: no relay Deployment runs `python -m functions.runtime.relay --domain {d}`"
        for d in project.domains
        if d not in exchanges
    ]
    queues = {str(q.spec.get("name")): q for q in project.objects("rabbitmq.com", "Queue")}
    topics = {str(e.spec.get("name")) for e in project.objects("rabbitmq.com", "Exchange") if e.spec.get("type") == "topic"}
    bridged: set[str] = set()
    for doc in project.objects("sources.knative.dev", "RabbitmqSource"):
        ref = doc.spec.get("rabbitmqClusterReference") or {}
        if bool(ref.get("name")) == bool(ref.get("connectionSecret")):
            problems.append(f"{doc}: rabbitmqClusterReference needs name or connectionSecret, not both")
        elif ref.get("name") and project.find(
            "rabbitmq.com", "RabbitmqCluster", str(ref["name"]), ref.get("namespace") or doc.namespace
        ) is None:
            problems.append(f"{doc}: rabbitmqClusterReference {ref} is not a RabbitmqCluster the manifests define")
        config = doc.spec.get("rabbitmqResourcesConfig")
        if not isinstance(config, dict):
            problems.append(f"{doc}: spec.rabbitmqResourcesConfig is required (the webhook refuses the source)")
            config = {}
        parallelism = config.get("parallelism", 1)
        if not isinstance(parallelism, int) or not 1 <= parallelism <= 1000:
            problems.append(f"{doc}: rabbitmqResourcesConfig.parallelism {parallelism!r} must be 1..1000")
        if config.get("predeclared") is not True:
            problems.append(
                f"{doc}: rabbitmqResourcesConfig.predeclared must be true: otherwise the source declares "
                f"{config.get('exchangeName')!r} as a headers exchange, clashing with the relays' topic exchange"
            )
        queue = str(config.get("queueName"))
        if queue not in queues:
            problems.append(f"{doc}: queueName {queue!r} is not a Queue (rabbitmq.com) the manifests declare")
        for binding in project.objects("rabbitmq.com", "Binding"):
            spec = binding.spec
            if spec.get("destination") == queue and spec.get("destinationType") == "queue" and spec.get("routingKey") == "#":
                if spec.get("source") in topics:
                    bridged.add(str(spec["source"]))
        problems += _destination(project, doc, doc.spec.get("sink"), "spec.sink")
        sink = (doc.spec.get("sink") or {}).get("ref") or {}
        if sink.get("kind") != "Broker":
            problems.append(f"{doc}: spec.sink must be the Broker (the Triggers deliver from it)")
        problems += _delivery(project, doc, doc.spec.get("delivery") or {})
    for domain, exchange in sorted(exchanges.items()):
        if exchange not in bridged:
            problems.append(
                f"relay of {domain} publishes to {exchange!r}, which no RabbitmqSource bridges into the "
                "Broker (a topic Exchange, a Binding '#' to the source's queue): no handler would get its events"
            )
    return problems
