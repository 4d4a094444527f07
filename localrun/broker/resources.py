"""Knative Eventing objects as the local broker reads them: Broker, Trigger, PingSource, delivery.

Field meanings follow Eventing 1.22 and eventing-rabbitmq 1.22 (PLATFORM-FACTS.md): a Trigger's
`spec.delivery` replaces its Broker's when present (they are not merged field by field); a
filter value of "" matches any value; `backoffDelay` is an ISO 8601 duration.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from localrun.serving.manifests import ManifestError

PARALLELISM_ANNOTATION = "rabbitmq.eventing.knative.dev/parallelism"
PREFETCH = 100  # eventing-rabbitmq fixes it; parallelism only sets the number of workers
CORE_ATTRIBUTES = frozenset({"specversion", "id", "source", "type", "subject", "time",
                             "dataschema", "datacontenttype"})
# What eventing-rabbitmq's dispatcher sets when none is given (its BACKOFF_DELAY default).
DEFAULT_BACKOFF_DELAY = 0.05
_ISO_DURATION = re.compile(
    r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$")
# Years and months as Go's period.DurationApprox counts them (Knative parses with it).
_SECONDS = (365.2425 * 86400, 365.2425 * 86400 / 12, 7 * 86400, 86400, 3600, 60, 1)


def iso_duration(text: str) -> float:
    """Return the seconds of an ISO 8601 duration such as `PT0.5S`; raise ValueError."""
    m = _ISO_DURATION.match(str(text).strip())
    if m is None:
        raise ValueError(f"{text!r} is not an ISO 8601 duration (e.g. PT0.5S)")
    return sum(float(v.replace(",", ".")) * unit for v, unit in zip(m.groups(), _SECONDS) if v)


def backoff_seconds(policy: str, delay: float, retry: int) -> float:
    """Return the wait before retry number `retry` (1 = the first retry): delay×n or delay×2^n.

    cloudevents sdk-go's RetryParams.BackoffFor, which eventing-rabbitmq's dispatcher uses, is
    called with the number of the retry about to be made, so the first wait is delay (linear)
    or 2×delay (exponential).
    """
    if retry < 1:
        raise ValueError("retries count from 1")
    return delay * retry if policy == "linear" else delay * 2 ** retry


@dataclass(frozen=True, slots=True)
class Destination:
    """Where events go (a duck-typed Knative Destination): a ref or an absolute URI."""

    kind: str  # "function" (Knative Service), "service" (plain v1 Service), "broker", "url"
    name: str = ""
    namespace: str = ""
    uri: str = ""  # absolute for "url"; with a ref, a path appended to its address

    @property
    def url(self) -> str:
        """Return the address the cluster would use (what knativeerrordest names)."""
        if self.kind == "url":
            return self.uri
        if self.kind == "broker":
            return f"http://{self.name}-broker-ingress.{self.namespace}.svc.cluster.local"
        return f"http://{self.name}.{self.namespace}.svc.cluster.local{self.uri}"


@dataclass(frozen=True, slots=True)
class Delivery:
    """A DeliverySpec: how many retries, how long between them, where failures go."""

    retry: int = 0
    backoff_policy: str = "exponential"
    backoff_delay: float = DEFAULT_BACKOFF_DELAY
    dead_letter_sink: Destination | None = None
    timeout: float | None = None

    def backoff(self, retry: int) -> float:
        """Return the seconds to wait before retry number `retry` (from 1)."""
        return backoff_seconds(self.backoff_policy, self.backoff_delay, retry)


@dataclass(frozen=True, slots=True)
class Broker:
    name: str
    namespace: str
    delivery: Delivery | None
    queue_type: str = "classic"


@dataclass(frozen=True, slots=True)
class Trigger:
    name: str
    namespace: str
    broker: str
    filter: Mapping[str, str] = field(hash=False)
    subscriber: Destination
    delivery: Delivery | None  # the Trigger's own, else its Broker's, else None (drop failures)
    parallelism: int = 1

    @property
    def routing_key(self) -> str:
        """Return the topic binding: the filtered type, or every routing key."""
        return self.filter.get("type") or "#"

    def matches(self, attributes: Mapping[str, Any]) -> bool:
        """Return whether an event's attributes (extensions included) pass the filter."""
        return matches(self.filter, attributes)


@dataclass(frozen=True, slots=True)
class PingSource:
    name: str
    namespace: str
    schedule: str
    timezone: str
    content_type: str
    data: bytes | None
    sink: Destination
    extensions: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def source(self) -> str:
        """Return the CloudEvent source Knative's ping adapter gives its events."""
        return f"/apis/v1/namespaces/{self.namespace}/pingsources/{self.name}"


def matches(filter_: Mapping[str, str], attributes: Mapping[str, Any]) -> bool:
    """Exact match of every filter attribute; "" matches any value (an extension must exist)."""
    for key, wanted in filter_.items():
        value = attributes.get(key)
        if wanted == "":
            if value is None and key not in CORE_ATTRIBUTES:
                return False
        elif value is None or str(value) != wanted:
            return False
    return True


def destination(spec: Any, namespace: str, where: str) -> Destination:
    """Return the Destination a `{ref: ..., uri: ...}` mapping names; raise ManifestError."""
    if not isinstance(spec, Mapping) or not (spec.get("ref") or spec.get("uri")):
        raise ManifestError(f"{where} needs a ref or an absolute uri")
    ref, uri = spec.get("ref"), str(spec.get("uri") or "")
    if not ref:
        if not re.match(r"^https?://[^/]+", uri):
            raise ManifestError(f"{where}: uri {uri!r} is not an absolute http(s) URL")
        return Destination("url", uri=uri)
    group = str(ref.get("apiVersion", "")).rpartition("/")[0]
    kinds = {("serving.knative.dev", "Service"): "function", ("", "Service"): "service",
             ("eventing.knative.dev", "Broker"): "broker"}
    kind = kinds.get((group, ref.get("kind")))
    if kind is None or not ref.get("name"):
        raise ManifestError(f"{where}: ref {dict(ref)} is not a Knative Service, Service or Broker")
    path = uri if uri.startswith("/") or not uri else "/" + uri
    return Destination(kind, str(ref["name"]), str(ref.get("namespace") or namespace), path)


def delivery(spec: Any, namespace: str, where: str) -> Delivery | None:
    """Return a Delivery from a DeliverySpec mapping (None when absent); raise ManifestError."""
    if not spec:
        return None
    try:
        retry = int(spec.get("retry", 0))
        policy = str(spec.get("backoffPolicy", "exponential"))
        delay = iso_duration(spec["backoffDelay"]) if "backoffDelay" in spec else DEFAULT_BACKOFF_DELAY
        timeout = iso_duration(spec["timeout"]) if "timeout" in spec else None
    except (TypeError, ValueError) as exc:
        raise ManifestError(f"{where}: bad delivery: {exc}") from None
    if retry < 0 or policy not in ("linear", "exponential"):
        raise ManifestError(f"{where}: delivery needs retry >= 0 and backoffPolicy linear|exponential")
    sink = spec.get("deadLetterSink")
    dls = destination(sink, namespace, f"{where}: deadLetterSink") if sink else None
    return Delivery(retry, policy, delay, dls, timeout)


def parallelism(annotations: Mapping[str, Any], where: str) -> int:
    """Return the Trigger's worker count from its annotation (default 1: FIFO)."""
    raw = annotations.get(PARALLELISM_ANNOTATION, "1")
    try:
        value = int(str(raw))
    except ValueError:
        value = 0
    if not 1 <= value <= 1000:
        raise ManifestError(f"{where}: {PARALLELISM_ANNOTATION} {raw!r} must be 1..1000")
    return value
