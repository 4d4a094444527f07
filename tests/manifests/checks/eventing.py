"""Knative Eventing rules the webhooks (or eventing-rabbitmq's behaviour) enforce: CRDs cannot.

The RabbitMQ Broker's class and config, delivery specs, the Trigger filter form eventing-rabbitmq
implements (spec.filter.attributes, exact matches), the parallelism annotation, PingSource cron
schedules; and every reference (subscriber, dead-letter sink, sink, broker) resolves to an object
the manifests define. From PLATFORM-FACTS.md (Eventing 1.22, eventing-rabbitmq 1.22).
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
