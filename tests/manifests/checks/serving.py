"""Knative Serving rules only the webhook enforces: autoscaling annotations and revision limits.

The annotations go on the revision template (spec.template.metadata.annotations), with the keys
and value ranges of Knative Serving 1.23's autoscaler (pkg/apis/autoscaling); containerConcurrency is
0..1000 and timeoutSeconds at most 600.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from tests.manifests.checks.project import Doc, Project

AUTOSCALING = "autoscaling.knative.dev/"
_GO_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)(h|m|s|ms|us|µs|ns))+$")
_GO_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}


def _seconds(value: str) -> float | None:
    """Return a Go duration ("1m30s") in seconds, or None when it is not one."""
    if value == "0":
        return 0.0
    if not _GO_DURATION.match(value):
        return None
    return sum(float(n) * _GO_UNITS[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)", value))


def _number(value: str, integer: bool = False) -> float | None:
    try:
        return float(int(value)) if integer else float(value)
    except ValueError:
        return None


def in_range(low: float, high: float, integer: bool = False) -> Callable[[str], str | None]:
    """Return a rule: the value is a number (or an integer) from low to high."""

    def check(value: str) -> str | None:
        n = _number(value, integer)
        if n is None or not low <= n <= high:
            kind = "an integer" if integer else "a number"
            return f"must be {kind} {low:g}..{high:g}"
        return None

    return check


def _duration(low: float, high: float) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        s = _seconds(value)
        if s is None or not low <= s <= high:
            return f"must be a duration {low:g}s..{high:g}s (Go form, e.g. 60s, 1m30s)"
        return None

    return check


def _one_of(*allowed: str) -> Callable[[str], str | None]:
    return lambda value: None if value in allowed else f"must be one of {', '.join(allowed)}"


# Each annotation Knative's autoscaler reads, with its value rule (the kebab-case keys only:
# we do not use the old camelCase spellings).
ANNOTATION_RULES: dict[str, Callable[[str], str | None]] = {
    "class": _one_of("kpa.autoscaling.knative.dev", "hpa.autoscaling.knative.dev"),
    "metric": _one_of("concurrency", "rps", "cpu", "memory"),
    "target": in_range(0.01, float("inf")),
    "target-utilization-percentage": in_range(1, 100),
    "min-scale": in_range(0, 2**31 - 1, integer=True),
    "max-scale": in_range(0, 2**31 - 1, integer=True),
    "initial-scale": in_range(0, 2**31 - 1, integer=True),
    "activation-scale": in_range(1, 2**31 - 1, integer=True),
    "window": _duration(6, 3600),
    "panic-window-percentage": in_range(1, 100),
    "panic-threshold-percentage": in_range(110, 1000),
    "scale-to-zero-pod-retention-period": _duration(0, 3600),
    "scale-down-delay": _duration(0, 3600),
    "target-burst-capacity": in_range(-1, float("inf")),
}


def _knative_templates(project: Project) -> Iterator[tuple[Doc, dict[str, Any]]]:
    """Yield (object, revision template) for Knative Services, Configurations and Revisions."""
    for doc in project.objects("serving.knative.dev"):
        if doc.kind in ("Service", "Configuration"):
            yield doc, doc.spec.get("template") or {}
        elif doc.kind == "Revision":
            yield doc, doc.data


def check_autoscaling(project: Project) -> list[str]:
    """Autoscaling annotations sit on the revision template, with known keys and valid values."""
    problems = []
    for doc, template in _knative_templates(project):
        if doc.kind != "Revision":
            misplaced = [k for k in doc.meta.get("annotations") or {} if k.startswith(AUTOSCALING)]
            problems += [
                f"{doc}: metadata.annotations {k}: autoscaling annotations belong on "
                "spec.template.metadata.annotations (the webhook rejects them here)"
                for k in misplaced
            ]
        annotations = (template.get("metadata") or {}).get("annotations") or {}
        found = {k[len(AUTOSCALING) :]: v for k, v in annotations.items() if k.startswith(AUTOSCALING)}
        for key, value in found.items():
            rule = ANNOTATION_RULES.get(key)
            if rule is None:
                problems.append(f"{doc}: unknown annotation {AUTOSCALING}{key}")
            elif not isinstance(value, str):
                problems.append(f"{doc}: {AUTOSCALING}{key} must be a string (quote it)")
            elif (why := rule(value)) is not None:
                problems.append(f"{doc}: {AUTOSCALING}{key} {value!r} {why}")
        low, high = (_number(str(found.get(k, "")), integer=True) for k in ("min-scale", "max-scale"))
        if low is not None and high is not None and high > 0 and high < low:
            problems.append(f"{doc}: max-scale {high:g} is below min-scale {low:g}")
    return problems


def check_revision_limits(project: Project) -> list[str]:
    """containerConcurrency is 0..1000 and timeoutSeconds at most 600 (Knative's maxima)."""
    problems = []
    for doc, template in _knative_templates(project):
        spec = template.get("spec") or {}
        limits = (("containerConcurrency", 0, 1000), ("timeoutSeconds", 0, 600))
        for field, low, high in limits:
            value = spec.get(field)
            if value is not None and (not isinstance(value, int) or not low <= value <= high):
                problems.append(f"{doc}: {field} {value!r} must be an integer {low}..{high}")
    return problems
