"""Kong's declarative configuration and its traditional router, for the subset of features we use.

The local gateway reads the same `knative/kong/kong.yaml` as the cluster's Kong, so a route
that works on a laptop works behind the real gateway (and the other way around). Plugins and
consumers are read by `localrun.gateway.plugins`; `resolve_references` (from `localrun.gateway.vault`) renders
`{vault://env/...}` references, for the local gateway and for the cluster's deploy script alike.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from localrun.gateway.vault import VaultError, resolve_references

__all__ = ["Match", "Router", "VaultError", "iter_routes", "load_kong", "resolve_references", "validate"]

FORMAT_VERSIONS = ("3.0",)
# Route fields that narrow a match; we implement paths and methods and refuse the rest
# rather than silently matching requests the real Kong would not.
_UNSUPPORTED_MATCH_FIELDS = ("hosts", "headers", "snis", "sources", "destinations")


@dataclass(frozen=True, slots=True)
class Match:
    """Where a request goes: Kong service and route, the Knative Service, the upstream path."""

    service: str
    route: str
    ksvc: str
    upstream_host: str
    path: str
    preserve_host: bool
    stripped: str
    # Position of the route in the file (see iter_routes): what plugin chains are keyed by.
    route_id: int = -1


@dataclass(frozen=True, slots=True)
class _Entry:
    route_id: int
    route: str
    service: str
    ksvc: str
    upstream_host: str
    base_path: str
    methods: frozenset[str] | None
    regex: re.Pattern[str] | None
    prefix: str
    strip_path: bool
    preserve_host: bool


def load_kong(path: Path) -> dict[str, Any]:
    """Return the declarative config at path, validated; raise ValueError when it is unusable."""
    with path.open(encoding="utf-8") as fh:
        config = yaml.safe_load(fh)
    validate(config, str(path))
    return config


def validate(config: Any, where: str = "kong config") -> None:
    """Raise ValueError naming the first problem in a declarative config."""
    if not isinstance(config, dict):
        raise ValueError(f"{where}: not a mapping")
    version = str(config.get("_format_version", ""))
    if version not in FORMAT_VERSIONS:
        raise ValueError(f"{where}: unknown _format_version {version!r}; expected one of {FORMAT_VERSIONS}")
    if config.get("routes"):
        raise ValueError(f"{where}: top-level routes are not supported; nest them in their service")
    names: set[str] = set()
    for i, service in enumerate(config.get("services") or []):
        name = service.get("name")
        if not name or name in names:
            raise ValueError(f"{where}: services[{i}] has a missing or duplicate name {name!r}")
        names.add(name)
        url = service.get("url")
        if not url:
            raise ValueError(f"{where}: service {name!r} has no url")
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"{where}: service {name!r} url {url!r} is not http://<host>[/path]")
        for j, route in enumerate(service.get("routes") or []):
            _validate_route(route, f"{where}: service {name!r} route {route.get('name') or j!r}")


def iter_routes(config: Mapping[str, Any]) -> Iterator[tuple[int, Mapping[str, Any], Mapping[str, Any]]]:
    """Yield (route_id, service, route) for every route, in file order; route_id counts from 0."""
    route_id = 0
    for service in config.get("services") or []:
        for route in service.get("routes") or []:
            yield route_id, service, route
            route_id += 1


def _validate_route(route: Mapping[str, Any], where: str) -> None:
    paths = route.get("paths")
    if not paths or not isinstance(paths, list):
        raise ValueError(f"{where} has no paths")
    for p in paths:
        if not isinstance(p, str) or not (p.startswith("/") or p.startswith("~/")):
            raise ValueError(f"{where}: path {p!r} must start with '/' or '~/'")
        if p.startswith("~"):
            try:
                re.compile(p[1:])
            except re.error as exc:
                raise ValueError(f"{where}: bad regex path {p!r}: {exc}") from None
    methods = route.get("methods")
    if methods is not None and (not isinstance(methods, list) or not all(isinstance(m, str) for m in methods)):
        raise ValueError(f"{where}: methods must be a list of strings")
    for unsupported in _UNSUPPORTED_MATCH_FIELDS:
        if route.get(unsupported):
            raise ValueError(f"{where}: '{unsupported}' matching is not supported by the local gateway")
    if not isinstance(route.get("regex_priority", 0), int):
        raise ValueError(f"{where}: regex_priority must be an integer")


class Router:
    """Kong's traditional router: regex paths first (by regex_priority), then longest prefix."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        validate(config)
        entries: list[tuple[tuple[int, ...], _Entry]] = []
        order = 0
        for route_id, service, route in iter_routes(config):
            url = urlsplit(service["url"])
            host = url.hostname or ""
            methods = route.get("methods")
            # Kong tries routes with more kinds of conditions first (paths + methods
            # beats paths alone), then orders regex before prefix paths.
            weight = 1 + (1 if methods else 0)
            for p in route["paths"]:
                order += 1
                is_regex = p.startswith("~")
                entry = _Entry(
                    route_id=route_id,
                    route=route.get("name") or f"{service['name']}-{order}",
                    service=service["name"],
                    # <ksvc>.<namespace>.svc.cluster.local: the Knative Service is the first label.
                    ksvc=host.split(".", 1)[0],
                    upstream_host=url.netloc,
                    base_path=url.path,
                    methods=frozenset(m.upper() for m in methods) if methods else None,
                    # Kong 3.x anchors regex paths at the start; `$` stays the author's choice.
                    regex=re.compile(p[1:]) if is_regex else None,
                    prefix="" if is_regex else p,
                    strip_path=bool(route.get("strip_path", True)),
                    preserve_host=bool(route.get("preserve_host", False)),
                )
                rank = -int(route.get("regex_priority", 0)) if is_regex else -len(p)
                entries.append(((-weight, 0 if is_regex else 1, rank, order), entry))
        entries.sort(key=lambda item: item[0])
        self._entries: tuple[_Entry, ...] = tuple(e for _, e in entries)

    @classmethod
    def from_file(cls, path: Path) -> Router:
        """Return a Router for the declarative file at path."""
        return cls(load_kong(path))

    @property
    def ksvcs(self) -> frozenset[str]:
        """Return the Knative Service names that routes lead to."""
        return frozenset(e.ksvc for e in self._entries)

    def match(self, method: str, path: str) -> Match | None:
        """Return where method + path (no query string) goes, or None when no route matches."""
        if "/." in path:
            path = _normalize(path)
        for e in self._entries:
            if e.methods is not None and method not in e.methods:
                continue
            if e.regex is not None:
                m = e.regex.match(path)
                if m is None:
                    continue
                end = m.end()
            elif path.startswith(e.prefix):
                end = len(e.prefix)
            else:
                continue
            stripped = path[:end] if e.strip_path else ""
            rest = path[end:] if e.strip_path else path
            return Match(
                service=e.service,
                route=e.route,
                ksvc=e.ksvc,
                upstream_host=e.upstream_host,
                path=_join(e.base_path, rest),
                preserve_host=e.preserve_host,
                stripped=stripped,
                route_id=e.route_id,
            )
        return None


def _join(base: str, rest: str) -> str:
    # Kong's path_handling "v0": the service path, then what is left of the request path.
    if not base or base == "/":
        return rest if rest.startswith("/") else "/" + rest
    if not rest:
        return base
    if base.endswith("/") and rest.startswith("/"):
        return base + rest[1:]
    return base + rest


def _normalize(path: str) -> str:
    # Kong matches on the normalized path, so /api/x/../admin cannot slip past a route.
    trailing = path.endswith("/") and len(path) > 1
    norm = posixpath.normpath(path)
    norm = "/" + norm.lstrip("/")
    return norm + "/" if trailing and not norm.endswith("/") else norm
