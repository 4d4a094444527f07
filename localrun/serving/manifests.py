"""Reads the Knative manifests under `knative/` into what the local runtime needs to run functions.

The cluster and `make dev` share these files, so a function's target and environment are
defined once. Secrets are not in the repository: the caller supplies them. This is the one
reader of the manifests' YAML: the local broker and the consistency and manifest tests use
`load_documents`, `iter_documents`, `knative_services` and `plain_env` too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

MIN_SCALE_ANNOTATIONS = ("autoscaling.knative.dev/min-scale", "autoscaling.knative.dev/minScale")
# Kubernetes expands $(VAR) in env values from variables defined earlier; $$ escapes it.
_VAR_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


class ManifestError(ValueError):
    """A manifest cannot be turned into a runnable function."""


@dataclass(frozen=True)
class FunctionSpec:
    """One Knative Service as the local runtime runs it."""

    name: str
    namespace: str
    env: dict[str, str] = field(hash=False)
    min_scale: int
    source: str
    target: str
    signature_type: str


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's when built in: the same answers, faster


def load_documents(path: Path) -> list[Any]:
    """Return the documents of one YAML file, empty ones dropped; raise yaml.YAMLError."""
    with path.open(encoding="utf-8") as fh:
        return [doc for doc in yaml.load_all(fh, Loader=_LOADER) if doc is not None]


def iter_documents(root: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Yield (file, document) for every mapping document in every YAML file under root."""
    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    for path in files:
        for doc in load_documents(path):
            if isinstance(doc, dict):
                yield path, doc


def is_knative_service(doc: Any) -> bool:
    """Whether a document is a Knative Service (serving.knative.dev), not a core Service."""
    return isinstance(doc, dict) and doc.get("kind") == "Service" and str(
        doc.get("apiVersion", "")).startswith("serving.knative.dev/")


def knative_services(root: Path) -> list[dict[str, Any]]:
    """Return every Knative Service document under root, in file order."""
    return [doc for _, doc in iter_documents(root) if is_knative_service(doc)]


def plain_env(container: Mapping[str, Any]) -> dict[str, str]:
    """Return a container's literal env values by name (valueFrom entries left out)."""
    return {e["name"]: str(e["value"]) for e in container.get("env") or [] if "value" in e}


def load_config_maps(root: Path) -> dict[str, dict[str, str]]:
    """Return every ConfigMap's data by name (names are unique in our single namespace)."""
    maps: dict[str, dict[str, str]] = {}
    for _, doc in iter_documents(root):
        if doc.get("kind") == "ConfigMap" and doc.get("apiVersion") == "v1":
            name = doc["metadata"]["name"]
            maps[name] = {str(k): str(v) for k, v in (doc.get("data") or {}).items()}
    return maps


def load_services(root: Path, secrets: Mapping[tuple[str, str], str]) -> dict[str, FunctionSpec]:
    """Return a FunctionSpec per Knative Service under root; raise ManifestError on a bad one."""
    config_maps = load_config_maps(root)
    specs: dict[str, FunctionSpec] = {}
    for path, doc in iter_documents(root):
        if not is_knative_service(doc):
            continue
        spec = _function_spec(doc, config_maps, secrets, path)
        if spec is None:
            continue
        if spec.name in specs:
            raise ManifestError(f"{path}: Knative Service {spec.name!r} is defined twice")
        specs[spec.name] = spec
    return specs


def _function_spec(
    doc: dict[str, Any],
    config_maps: Mapping[str, Mapping[str, str]],
    secrets: Mapping[tuple[str, str], str],
    path: Path,
) -> FunctionSpec | None:
    meta = doc.get("metadata") or {}
    name = meta.get("name")
    if not name:
        raise ManifestError(f"{path}: a Knative Service has no metadata.name")
    template = (doc.get("spec") or {}).get("template") or {}
    containers = (template.get("spec") or {}).get("containers") or []
    if not containers:
        raise ManifestError(f"{path}: Knative Service {name!r} has no container")
    env = _resolve_env(name, containers[0], config_maps, secrets)
    if "FUNCTION_TARGET" not in env:
        # Not one of ours (an off-the-shelf image such as an event display): nothing to run.
        log.warning("Knative Service %s has no FUNCTION_TARGET; the local runtime skips it", name)
        return None
    annotations = (template.get("metadata") or {}).get("annotations") or {}
    return FunctionSpec(
        name=name,
        namespace=meta.get("namespace") or "default",
        env=env,
        min_scale=_min_scale(name, annotations),
        # functions-framework's own default source, so a manifest may omit it the same way.
        source=env.get("FUNCTION_SOURCE", "main.py"),
        target=env["FUNCTION_TARGET"],
        signature_type=env.get("FUNCTION_SIGNATURE_TYPE", "http"),
    )


def _min_scale(service: str, annotations: Mapping[str, Any]) -> int:
    for key in MIN_SCALE_ANNOTATIONS:
        if key in annotations:
            try:
                value = int(str(annotations[key]))
            except ValueError:
                value = -1
            if value < 0:
                raise ManifestError(f"Knative Service {service!r}: bad {key} {annotations[key]!r}")
            return value
    return 0


def _resolve_env(
    service: str,
    container: Mapping[str, Any],
    config_maps: Mapping[str, Mapping[str, str]],
    secrets: Mapping[tuple[str, str], str],
) -> dict[str, str]:
    env: dict[str, str] = {}
    # Kubernetes order: envFrom sources first, then `env` entries override them.
    for source in container.get("envFrom") or []:
        prefix = source.get("prefix") or ""
        if "configMapRef" in source:
            ref = source["configMapRef"]
            data = config_maps.get(ref["name"])
            if data is None:
                if ref.get("optional"):
                    continue
                raise ManifestError(f"Knative Service {service!r}: no ConfigMap {ref['name']!r}")
            env.update({prefix + k: v for k, v in data.items()})
        elif "secretRef" in source:
            ref = source["secretRef"]
            data = {k: v for (s, k), v in secrets.items() if s == ref["name"]}
            if not data and not ref.get("optional"):
                raise ManifestError(f"Knative Service {service!r}: no Secret {ref['name']!r}")
            env.update({prefix + k: v for k, v in data.items()})
    for var in container.get("env") or []:
        if "valueFrom" in var:
            value = _env_value(service, var, config_maps, secrets)
        else:
            value = _expand(str(var.get("value", "")), env)
        if value is not None:
            env[var["name"]] = value
    return env


def _expand(value: str, env: Mapping[str, str]) -> str:
    # An unknown $(VAR) stays as written, as the kubelet leaves it.
    return _VAR_REF.sub(lambda m: "$" if m[0] == "$$" else env.get(m[1], m[0]), value)


def _env_value(
    service: str,
    var: Mapping[str, Any],
    config_maps: Mapping[str, Mapping[str, str]],
    secrets: Mapping[tuple[str, str], str],
) -> str | None:
    value_from = var["valueFrom"]
    if "secretKeyRef" in value_from:
        ref = value_from["secretKeyRef"]
        key = (ref["name"], ref["key"])
        if key not in secrets:
            if ref.get("optional"):
                return None
            raise ManifestError(
                f"Knative Service {service!r}: env {var['name']} needs Secret "
                f"{ref['name']!r} key {ref['key']!r}, which was not supplied"
            )
        return secrets[key]
    if "configMapKeyRef" in value_from:
        ref = value_from["configMapKeyRef"]
        data = config_maps.get(ref["name"], {})
        if ref["key"] not in data:
            if ref.get("optional"):
                return None
            raise ManifestError(
                f"Knative Service {service!r}: env {var['name']} needs ConfigMap "
                f"{ref['name']!r} key {ref['key']!r}, which does not exist"
            )
        return data[ref["key"]]
    raise ManifestError(
        f"Knative Service {service!r}: env {var['name']} uses an unsupported valueFrom "
        f"({', '.join(value_from)}); the local runtime knows secretKeyRef and configMapKeyRef"
    )
