"""Every YAML document under knative/ and kind-cluster/ validates against a schema.

- Knative, eventing-rabbitmq, RabbitMQ and CloudNativePG kinds: the upstream CRD schemas vendored
  in tests/manifests/crds/ (crds/SOURCES says where each comes from), made strict.
- Built-in kinds (Deployment, Service, ConfigMap, Job, ...): kubernetes-validate's strict schemas
  for the Kubernetes version of the kind node image.
- Files that are not Kubernetes objects: our own schemas beside this package (Kong's declarative
  file, the kind config, kustomizations, kn func template manifests).
A document that matches none of these is a problem too: nothing goes unchecked.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

from tests.manifests.checks.project import Doc, Project, load_yaml_all

OWN_SCHEMAS = Path(__file__).resolve().parents[1]
KUSTOMIZATION = ("kustomize.config.k8s.io/v1beta1", "Kustomization")
KIND_CONFIG = ("kind.x-k8s.io/v1alpha4", "Cluster")
_PRESERVE = "x-kubernetes-preserve-unknown-fields"


def strict(schema: dict[str, Any], root: bool = True) -> dict[str, Any]:
    """Return a copy of a CRD schema in which objects listing properties allow no others."""
    schema = copy.deepcopy(schema) if root else schema
    if "properties" in schema and not schema.get(_PRESERVE) and "additionalProperties" not in schema:
        schema["additionalProperties"] = False
    for key in ("properties", "patternProperties"):
        for sub in (schema.get(key) or {}).values():
            strict(sub, root=False)
    for key in ("items", "additionalProperties", "not"):
        if isinstance(schema.get(key), dict):
            strict(schema[key], root=False)
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key) or []:
            strict(sub, root=False)
    if root:  # Eventing's CRDs do not list these at the root
        props = schema.setdefault("properties", {})
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        props.setdefault("metadata", {"type": "object"})
    return schema


@functools.cache
def crd_validators(crds: Path) -> dict[tuple[str, str], jsonschema.Draft7Validator]:
    """Return a validator per (apiVersion, kind) of every CRD under `crds`."""
    validators = {}
    for path in sorted(crds.rglob("*.yaml")):
        for crd in load_yaml_all(path):
            if not isinstance(crd, dict) or crd.get("kind") != "CustomResourceDefinition":
                continue
            spec = crd["spec"]
            for version in spec["versions"]:
                schema = (version.get("schema") or {}).get("openAPIV3Schema")
                if schema:
                    key = (f"{spec['group']}/{version['name']}", spec["names"]["kind"])
                    validators[key] = jsonschema.Draft7Validator(strict(schema))
    return validators


@functools.cache
def own_validator(filename: str) -> jsonschema.Draft7Validator:
    """Return the validator of one of our schemas (tests/manifests/<filename>)."""
    schema = yaml.safe_load((OWN_SCHEMAS / filename).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def schema_problems(validator: jsonschema.Draft7Validator, data: Any, where: object) -> list[str]:
    """Return one line per schema error, with the path to the offending field."""
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{where}: {'.'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in errors]


def kubernetes_version(project: Project) -> str | None:
    """Return the Kubernetes minor version of the kind node image (kind-cluster/kind-config.yaml)."""
    for doc in project.objects(kind="Cluster"):
        if (doc.api_version, doc.kind) == KIND_CONFIG:
            for node in doc.data.get("nodes") or []:
                match = re.search(r":v(\d+\.\d+)\.", str(node.get("image", "")))
                if match:
                    return match[1]
    return None


@functools.lru_cache(maxsize=1024)
def _builtin_error(document: str, version: str) -> str | None:
    """Return why a built-in object (as JSON) is invalid, "unknown" for an unknown kind, or None.

    Cached by content: kubernetes-validate reads its schema files from disk on every call, and the
    tests validate many copies of the same documents.
    """
    try:
        kubernetes_validate.validate(json.loads(document), version, strict=True)
    except kubernetes_validate.ValidationError as e:
        return f"{'.'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
    except kubernetes_validate.SchemaNotFoundError:
        return "unknown"
    return None


def _builtin_problems(doc: Doc, version: str) -> list[str]:
    error = _builtin_error(json.dumps(doc.data, sort_keys=True, default=str), version)
    if error == "unknown":
        return [
            f"{doc}: unknown kind {doc.kind} ({doc.api_version}): no CRD in tests/manifests/crds "
            f"and not a built-in kind of Kubernetes {version}"
        ]
    return [f"{doc}: {error}"] if error else []


def check_schemas(project: Project) -> list[str]:
    """Validate every document under knative/ and kind-cluster/ against its schema."""
    problems = list(project.load_problems)
    if not any(project.crds.rglob("*.yaml")):
        return problems + [
            f"{project.crds} has no CRDs: the schemas are vendored in tests/manifests/crds/ "
            "(crds/refresh.sh downloads them)"
        ]
    crds = crd_validators(project.crds)
    version = kubernetes_version(project)
    if version is None:
        problems.append(
            "kind-cluster/kind-config.yaml names no kindest/node:vX.Y.Z image: "
            "the Kubernetes version for the built-in schemas is unknown"
        )
    for doc in project.docs:
        key = (doc.api_version, doc.kind)
        if not isinstance(doc.data, dict):
            problems.append(f"{doc}: not a mapping")
        elif "_format_version" in doc.data:
            problems += schema_problems(own_validator("kong_schema.yaml"), doc.data, doc)
        elif doc.path.parts[:2] == ("knative", "func-templates") and doc.path.name == "manifest.yaml":
            problems += schema_problems(own_validator("func_template_manifest_schema.yaml"), doc.data, doc)
        elif key == KUSTOMIZATION:
            problems += schema_problems(own_validator("kustomization_schema.yaml"), doc.data, doc)
        elif key == KIND_CONFIG:
            problems += schema_problems(own_validator("kind_config_schema.yaml"), doc.data, doc)
        elif key in crds:
            problems += schema_problems(crds[key], doc.data, doc)
        elif doc.api_version and doc.kind:
            problems += _builtin_problems(doc, version) if version else []
        else:
            problems.append(
                f"{doc}: neither a Kubernetes object (apiVersion, kind) nor a file "
                "with a schema of ours (Kong config, kind config, kn func manifest)"
            )
    return problems
