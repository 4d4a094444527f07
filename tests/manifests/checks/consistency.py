"""The manifests agree with the code and with each other: databases, function Services, Kong.

Each domain has its own database role (a CloudNativePG managed role) and Secret, and every Secret
a manifest reads is made by kind-cluster/deploy.sh or an operator; every function's Knative
Service has the shape the platform needs (scale to zero, bounds, limits, probe, config); Kong's
plugins name entities that exist, and its vault references are variables Kong gets from Secrets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tests.manifests.checks.project import NAMESPACE, REGISTRY, Project, env_of, function_services


def _secret_refs(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if (
                key in ("secretKeyRef", "secretRef", "passwordSecret")
                and isinstance(value, dict)
                and "name" in value
            ):
                yield str(value["name"])
            elif key == "secret" and isinstance(value, dict) and "secretName" in value:
                yield str(value["secretName"])
            else:
                yield from _secret_refs(value)
    elif isinstance(data, list):
        for item in data:
            yield from _secret_refs(item)


def check_database(project: Project) -> list[str]:
    """Each domain has its own role (CloudNativePG managed role) and Secret; deploy.sh makes them all."""
    problems = []
    clusters = list(project.objects("postgresql.cnpg.io", "Cluster"))
    roles = {r.get("name"): r for c in clusters for r in (c.spec.get("managed") or {}).get("roles") or []}
    for domain in project.domains:
        role = roles.get(f"ecom_{domain}")
        wanted = {"ensure": "present", "login": True, "passwordSecret": {"name": f"ecom-db-{domain}-role"}}
        if role is None or any(role.get(k) != v for k, v in wanted.items()):
            problems.append(
                f"domain {domain}: a CloudNativePG Cluster needs managed role ecom_{domain} with {wanted}"
            )
    for doc, domain, container in function_services(project):
        urls = [e for e in container.get("env") or [] if e.get("name") == "DATABASE_URL"]
        ref = (urls[0].get("valueFrom") or {}).get("secretKeyRef") if urls else None
        if ref != {"name": f"ecom-db-{domain}", "key": "url"}:
            problems.append(
                f"{doc}: DATABASE_URL must come from Secret ecom-db-{domain} key url (the domain's own role)"
            )
    deploy = (project.root / "kind-cluster" / "deploy.sh").read_text(encoding="utf-8")
    # CloudNativePG makes <cluster>-app and -superuser; the RabbitMQ cluster operator <cluster>-default-user.
    operator_made = {f"{c.name}-{s}" for c in clusters for s in ("app", "superuser")} | {
        f"{r.name}-default-user" for r in project.objects("rabbitmq.com", "RabbitmqCluster")
    }
    for doc in project.objects():
        for name in set(_secret_refs(doc.data)) - operator_made:
            literal = next(
                (
                    name.replace(d, "${domain}")
                    for d in project.domains
                    if re.fullmatch(rf"ecom-db-{d}(-role)?", name)
                ),
                name,
            )
            if literal not in deploy:
                problems.append(
                    f"{doc}: Secret {name} is neither made by kind-cluster/deploy.sh nor by an operator"
                )
    return problems


def _probe_path(container: dict[str, Any]) -> str | None:
    return ((container.get("readinessProbe") or {}).get("httpGet") or {}).get("path")


def check_function_services(project: Project) -> list[str]:
    """Every function's Knative Service scales to zero within bounds, with limits, probe and config."""
    problems = []
    for doc, domain, container in function_services(project):
        template = doc.spec.get("template") or {}
        annotations = (template.get("metadata") or {}).get("annotations") or {}
        env = env_of(container)
        wants = {
            "label ecom.dev/domain": (doc.meta.get("labels") or {}).get("ecom.dev/domain") == domain,
            f"image {REGISTRY}/ecom-{domain}:latest": container.get("image")
            == f"{REGISTRY}/ecom-{domain}:latest",
            'min-scale "0"': annotations.get("autoscaling.knative.dev/min-scale") == "0",
            "a max-scale": "autoscaling.knative.dev/max-scale" in annotations,
            "containerConcurrency": "containerConcurrency" in (template.get("spec") or {}),
            "cpu and memory requests and limits": all(
                set((container.get("resources") or {}).get(k) or {}) >= {"cpu", "memory"}
                for k in ("requests", "limits")
            ),
            "envFrom ConfigMap ecom-config": {"configMapRef": {"name": "ecom-config"}}
            in (container.get("envFrom") or []),
            "a FUNCTION_TARGET of its main.py": env.get("FUNCTION_TARGET") in project.targets(domain),
        }
        if env.get("FUNCTION_SIGNATURE_TYPE", "http") == "http":
            wants["readiness probe on /health/readiness"] = _probe_path(container) == "/health/readiness"
        problems += [f"{doc}: needs {what}" for what, ok in wants.items() if not ok]
        if doc.namespace != NAMESPACE:
            problems.append(f"{doc}: must be in namespace {NAMESPACE}")
    return problems


def check_kong_references(project: Project) -> list[str]:
    """Kong plugins name services, routes and consumers that exist; names are unique."""
    problems = []
    for doc in project.docs:
        if not (isinstance(doc.data, dict) and "_format_version" in doc.data):
            continue
        services = doc.data.get("services") or []
        entities = {
            "service": services,
            "route": [r for s in services for r in s.get("routes") or []],
            "consumer": doc.data.get("consumers") or [],
        }
        known: dict[str, set[str]] = {}
        for kind, listed in entities.items():
            names = [
                e.get("username") or e.get("custom_id") if kind == "consumer" else e.get("name")
                for e in listed
            ]
            problems += [
                f"{doc}: {kind} {n!r} is defined twice"
                for n in sorted({n for n in names if names.count(n) > 1})
            ]
            known[kind] = {str(n) for n in names} | {str(e["id"]) for e in listed if e.get("id")}
        for plugin in doc.data.get("plugins") or []:
            for kind in entities:
                ref = plugin.get(kind)
                if isinstance(ref, dict):
                    ref = ref.get("name") or ref.get("id")
                if ref is not None and str(ref) not in known[kind]:
                    problems.append(
                        f"{doc}: plugin {plugin.get('name')} names {kind} {ref!r}, which is not defined"
                    )
    return problems


_VAULT_ENV = re.compile(r"^\{vault://env/([^/?#}]+)(?:/[^?#}]*)?(?:\?prefix=([^#}]*))?\}$")


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)
    elif isinstance(data, str):
        yield data


def check_kong_secrets(project: Project) -> list[str]:
    """Each `{vault://env/<name>}` in Kong's file is an env variable the Kong pod gets from a Secret.

    The pod's init container fills the references in before Kong starts (knative/kong/gateway.yaml).
    """
    kong = project.find("apps", "Deployment", "kong")
    pod = ((kong.spec.get("template") or {}).get("spec") or {}) if kong else {}
    containers = (pod.get("initContainers") or []) + (pod.get("containers") or [])
    provided = {
        e["name"]
        for c in containers
        for e in c.get("env") or []
        if "secretKeyRef" in (e.get("valueFrom") or {})
    }
    problems = []
    for doc in project.docs:
        if not (isinstance(doc.data, dict) and "_format_version" in doc.data):
            continue
        for value in _strings(doc.data):
            if not value.startswith("{vault://"):
                continue
            match = _VAULT_ENV.match(value)
            if match is None:
                problems.append(f"{doc}: {value}: Kong here has only the env vault ({{vault://env/<name>}})")
                continue
            variable = ((match[2] or "") + match[1]).replace("-", "_").upper()
            if variable not in provided:
                problems.append(
                    f"{doc}: {value} reads {variable}, which the kong Deployment's pod does "
                    "not get from a Secret (add an env entry with a secretKeyRef to "
                    "knative/kong/gateway.yaml)"
                )
    return problems
