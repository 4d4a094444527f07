"""Reads the Broker, Trigger and PingSource manifests under `knative/` into the local broker's model,
and where each dead-letter sink forwards what it keeps (a plain Service's FORWARDS_ANNOTATION)."""

from __future__ import annotations

import base64
import json
import logging
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localrun.broker.cron import Cron
from localrun.broker.resources import (
    Broker,
    Destination,
    PingSource,
    Trigger,
    delivery,
    destination,
    parallelism,
)
from localrun.serving.manifests import ManifestError, iter_documents

log = logging.getLogger(__name__)
# On a plain Service that is a dead-letter sink: the Knative Service it forwards each dead letter to.
FORWARDS_ANNOTATION = "ecom.dev/forwards-to"


@dataclass(frozen=True)
class Eventing:
    """Everything eventing the manifests define, by kind."""

    brokers: dict[str, Broker] = field(default_factory=dict)
    triggers: list[Trigger] = field(default_factory=list)
    ping_sources: list[PingSource] = field(default_factory=list)
    # A dead-letter sink's Service name -> the Knative Service it forwards to
    forwards: dict[str, Destination] = field(default_factory=dict)


def _is(doc: dict[str, Any], group: str, kind: str) -> bool:
    return doc.get("kind") == kind and str(doc.get("apiVersion", "")).startswith(group + "/")


def load_eventing(root: Path) -> Eventing:
    """Return the Brokers, Triggers and PingSources under root; raise ManifestError on a bad one.

    A Trigger whose Broker the manifests do not define is skipped with a warning (Knative
    leaves it not ready), as is one whose subscriber cannot run locally.
    """
    docs = list(iter_documents(root))
    configs = {(d["metadata"].get("namespace") or "default", d["metadata"]["name"]): d.get("spec") or {}
               for _, d in docs if _is(d, "eventing.knative.dev", "RabbitmqBrokerConfig")}
    found = Eventing()
    for path, doc in docs:
        if _is(doc, "eventing.knative.dev", "Broker"):
            broker = _broker(doc, configs, f"{path.name}: Broker")
            found.brokers[broker.name] = broker
    for path, doc in docs:
        where = f"{path.name}: {doc.get('kind')} {(doc.get('metadata') or {}).get('name')!r}"
        if _is(doc, "eventing.knative.dev", "Trigger"):
            trigger = _trigger(doc, found.brokers, where)
            if trigger is not None:
                found.triggers.append(trigger)
        elif _is(doc, "sources.knative.dev", "PingSource"):
            found.ping_sources.append(_ping_source(doc, where))
        elif doc.get("kind") == "Service" and doc.get("apiVersion") == "v1":
            name, ns, annotations = _meta(doc)
            if annotations.get(FORWARDS_ANNOTATION):
                found.forwards[name] = Destination("function", str(annotations[FORWARDS_ANNOTATION]), ns)
    names = [t.name for t in found.triggers]
    if len(names) != len(set(names)):
        raise ManifestError(f"{root}: Trigger names are not unique: {sorted(names)}")
    return found


def _meta(doc: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    meta = doc.get("metadata") or {}
    return str(meta["name"]), str(meta.get("namespace") or "default"), meta.get("annotations") or {}


def _broker(doc: dict[str, Any], configs: dict[tuple[str, str], dict[str, Any]], where: str) -> Broker:
    name, ns, _ = _meta(doc)
    spec = doc.get("spec") or {}
    ref = spec.get("config") or {}
    config = configs.get((ref.get("namespace") or ns, ref.get("name")), {})
    return Broker(name, ns, delivery(spec.get("delivery"), ns, where),
                  str(config.get("queueType") or "classic"))


def _trigger(doc: dict[str, Any], brokers: dict[str, Broker], where: str) -> Trigger | None:
    name, ns, annotations = _meta(doc)
    spec = doc.get("spec") or {}
    broker = brokers.get(str(spec.get("broker", "default")))
    if broker is None:
        log.warning("%s: no Broker %r in the manifests; the Trigger is not served", where, spec.get("broker"))
        return None
    attributes = (spec.get("filter") or {}).get("attributes") or {}
    if not all(isinstance(v, str) for v in attributes.values()):
        raise ManifestError(f"{where}: filter attributes must be strings")
    if spec.get("filters"):
        log.warning("%s: spec.filters is ignored (eventing-rabbitmq reads filter.attributes only)", where)
    subscriber = destination(spec.get("subscriber"), ns, f"{where}: subscriber")
    if subscriber.kind == "service":
        log.warning("%s: subscriber %s is a plain Service, which the local runtime cannot run",
                    where, subscriber.name)
    own = delivery(spec.get("delivery"), ns, where)
    return Trigger(name, ns, broker.name, dict(attributes), subscriber,
                   own if own is not None else broker.delivery, parallelism(annotations, where))


def _ping_source(doc: dict[str, Any], where: str) -> PingSource:
    name, ns, _ = _meta(doc)
    spec = doc.get("spec") or {}
    schedule = str(spec.get("schedule", ""))
    try:
        Cron(schedule)
        timezone = str(spec.get("timezone") or "UTC")
        zoneinfo.ZoneInfo(timezone)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError) as exc:
        raise ManifestError(f"{where}: {exc}") from None
    content_type = str(spec.get("contentType") or "")
    data: bytes | None = None
    if spec.get("dataBase64"):
        data = base64.b64decode(spec["dataBase64"])
    elif spec.get("data") is not None:
        data = str(spec["data"]).encode()
        if content_type == "application/json":
            try:
                json.loads(data)
            except ValueError:
                raise ManifestError(f"{where}: data is not JSON, yet contentType is JSON") from None
    extensions = ((spec.get("ceOverrides") or {}).get("extensions")) or {}
    return PingSource(name, ns, schedule, timezone, content_type, data,
                      destination(spec.get("sink"), ns, f"{where}: sink"),
                      {str(k): str(v) for k, v in extensions.items()})
