"""The event contracts of `events/`: is a CloudEvent one the catalog knows, with valid data?

Each problem names the attribute (`type`, `id`) or the data path (`data.email`,
`data.lines.0.sku`) it is about, as the API's problem+json `errors` do. The catalog and
schemas are read again when their files change, so `make dev` picks up a new type.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from localrun.broker.message import BrokerEvent, is_json

REQUIRED = ("specversion", "id", "source", "type")
# Longest attribute values the platform stores or sends: an id becomes the AMQP `message_id`
# (a short string, at most 255 bytes) and, with source, the handlers' inbox key; longer ones
# would fail every publish (a retryable 503) or every delivery.
MAX_ATTRIBUTE = {"id": 255, "source": 1024, "subject": 1024}
_EXTENSION_NAME = re.compile(r"^[a-z0-9]+$")
_REQUIRED_MESSAGE = re.compile(r"^'(.+)' is a required property$")
_UNEXPECTED = re.compile(r"\('(.+)' (?:was|were) unexpected\)")


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str
    message: str


class Contracts:
    """The catalog's types and a JSON Schema validator per type (Draft 2020-12, formats checked)."""

    def __init__(self, events_dir: Path) -> None:
        self.events_dir = Path(events_dir)
        self._lock = threading.Lock()
        self._stamp: tuple[tuple[int, int], ...] = ()
        self._validators: dict[str, Draft202012Validator | None] = {}
        self._outside: dict[str, frozenset[str]] = {}

    @property
    def types(self) -> frozenset[str]:
        return frozenset(self._current())

    def allowed_types(self, consumer: str | None) -> frozenset[str]:
        """Return the types the outside producer with Kong consumer `consumer` may send (none if unknown)."""
        self._current()
        with self._lock:
            return self._outside.get(consumer or "", frozenset())

    def check(self, event: BrokerEvent) -> list[FieldProblem]:
        """Return every problem with an event's attributes and data; [] when it is valid."""
        a = event.attributes
        problems = [FieldProblem(name, "is required") for name in REQUIRED if not a.get(name)]
        if a.get("specversion") and a["specversion"] != "1.0":
            problems.append(FieldProblem("specversion", "must be 1.0"))
        problems += [FieldProblem(name, "an attribute name is lower-case letters and digits only")
                     for name in a if not _EXTENSION_NAME.match(name)]
        problems += [FieldProblem(name, f"is longer than {limit} bytes")
                     for name, limit in MAX_ATTRIBUTE.items() if len(a.get(name, "").encode()) > limit]
        if a.get("time") and not _is_rfc3339(a["time"]):
            problems.append(FieldProblem("time", "is not an RFC 3339 timestamp"))
        content_type = a.get("datacontenttype", "application/json")
        if not is_json(content_type):
            problems.append(FieldProblem("datacontenttype", "must be application/json"))
        if not a.get("type"):
            return problems
        validators = self._current()
        if a["type"] not in validators:
            problems.append(FieldProblem("type", f"{a['type']!r} is not in events/catalog.yaml"))
            return problems
        validator = validators[a["type"]]
        if validator is None or not is_json(content_type):
            return problems
        if event.data and too_deep(event.data):
            return problems + [FieldProblem("data", f"nests deeper than {MAX_DEPTH} levels")]
        try:
            data = json.loads(event.data) if event.data else None
        except (ValueError, RecursionError):
            return problems + [FieldProblem("data", "is not valid JSON")]
        if data is None:
            return problems + [FieldProblem("data", "is required")]
        errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.path])
        return problems + [_problem(e) for e in errors]

    def _current(self) -> dict[str, Draft202012Validator | None]:
        files = [self.events_dir / "catalog.yaml", *sorted((self.events_dir / "schemas").glob("*.json"))]
        stats = [f.stat() for f in files if f.exists()]
        stamp = tuple((s.st_mtime_ns, s.st_size) for s in stats) + ((len(files), 0),)
        with self._lock:
            if stamp != self._stamp:
                self._validators = _load(self.events_dir)
                self._outside = outside_producers(self.events_dir)
                self._stamp = stamp
            return self._validators


def _load(events_dir: Path) -> dict[str, Draft202012Validator | None]:
    catalog = yaml.safe_load((events_dir / "catalog.yaml").read_text()) or {}
    schemas = {p.name.removesuffix(".json"): json.loads(p.read_text())
               for p in sorted((events_dir / "schemas").glob("*.json"))}
    registry: Registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values() if "$id" in s)
    validators: dict[str, Draft202012Validator | None] = {}
    for entry in catalog.get("events") or []:
        schema = schemas.get(entry["type"])
        validators[entry["type"]] = None if schema is None else Draft202012Validator(
            schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return validators


MAX_DEPTH = 32  # far beyond any schema of ours; json.loads of 100k levels raises RecursionError


def too_deep(document: bytes | str, limit: int = MAX_DEPTH) -> bool:
    """Whether a JSON text nests arrays/objects deeper than limit (strings are skipped), without parsing it."""
    text = document.encode() if isinstance(document, str) else document
    if text.count(b"[") + text.count(b"{") <= limit:
        return False
    text = _JSON_STRING.sub(b'""', text)
    depth = 0
    for byte in text.translate(None, _NOT_BRACKET):
        depth += 1 if byte in (0x5B, 0x7B) else -1
        if depth > limit:
            return True
    return False


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


def outside_producers(events_dir: Path) -> dict[str, frozenset[str]]:
    """Return Kong consumer username -> the types that outside producer may POST to the ingress.

    Raise ValueError when a producer is given a type the catalog does not have, or one a domain
    produces itself (its `producers` are our functions, not `broker-ingress`).
    """
    catalog = yaml.safe_load((events_dir / "catalog.yaml").read_text()) or {}
    producers_of = {e["type"]: e.get("producers") or [] for e in catalog.get("events") or []}
    allowed: dict[str, frozenset[str]] = {}
    for entry in catalog.get("outside_producers") or []:
        types = frozenset(entry.get("types") or ())
        for t in sorted(types):
            if t not in producers_of:
                raise ValueError(f"events/catalog.yaml: outside producer {entry['name']!r}: no type {t!r}")
            if producers_of[t] != ["broker-ingress"]:
                raise ValueError(f"events/catalog.yaml: outside producer {entry['name']!r}: {t} is produced "
                                 f"by {producers_of[t]}, and a domain's own types never come from outside")
        allowed[entry["consumer"]] = types
    return allowed


def _problem(error: Any) -> FieldProblem:
    path = "".join(f".{part}" for part in error.path)
    if error.validator == "required" and (m := _REQUIRED_MESSAGE.match(error.message)):
        return FieldProblem(f"data{path}.{m[1]}", "is required")
    if error.validator in ("additionalProperties", "unevaluatedProperties") and \
            (m := _UNEXPECTED.search(error.message)):
        return FieldProblem(f"data{path}.{m[1].split(chr(39))[0]}", "unknown field")
    return FieldProblem(f"data{path}", error.message)


def _is_rfc3339(text: str) -> bool:
    if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", text, re.IGNORECASE):
        return False
    try:
        datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
