"""Plugin declarations from the declarative file, resolved into one chain per route at load.

Declarations: global `plugins[]` (optionally with `service:`/`route:` naming what they attach to),
`services[].plugins[]` and `services[].routes[].plugins[]`. Each has `name`, `enabled` (default
true) and `config`; Kong's other plugin fields (`id`, `instance_name`, `protocols`, `tags`) are
accepted and ignored. For each route and plugin name the most specific enabled declaration wins:
route, then service, then global (a disabled declaration is as if absent, as in Kong's iterator).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from localrun.gateway.kong import iter_routes
from localrun.gateway.plugins.base import Chain, Plugin, Runtime
from localrun.gateway.plugins.consumers import Consumers, load_consumers
from localrun.gateway.plugins.correlation_id import CorrelationId
from localrun.gateway.plugins.cors import Cors
from localrun.gateway.plugins.jwt import Jwt
from localrun.gateway.plugins.key_auth import KeyAuth
from localrun.gateway.plugins.prometheus import KongMetrics, Prometheus
from localrun.gateway.plugins.proxy_cache import ProxyCache
from localrun.gateway.plugins.rate_limiting import RateLimiting
from localrun.gateway.plugins.request_size_limiting import RequestSizeLimiting
from localrun.gateway.plugins.serverless import PostFunction, PreFunction

PLUGINS: dict[str, type[Plugin]] = {
    cls.name: cls for cls in (PreFunction, CorrelationId, Cors, Jwt, KeyAuth, RequestSizeLimiting,
                              RateLimiting, ProxyCache, Prometheus, PostFunction)
}
_ENTITY_FIELDS = {"name", "enabled", "config", "id", "instance_name", "protocols", "tags",
                  "service", "route", "consumer", "created_at", "updated_at"}

Scope = tuple[str, Any]  # ("global", None) | ("service", name) | ("route", route_id)


class GatewayPlugins:
    """The plugin chain of every route, computed once; `chain(match)` is the hot-path lookup."""

    def __init__(self, chains: Mapping[int, Chain], consumers: Consumers,
                 declared: Mapping[Scope, Mapping[str, Plugin]], metrics: KongMetrics | None = None) -> None:
        self._chains = dict(chains)
        self.consumers = consumers
        self.declared = declared
        self.metrics = metrics if metrics is not None else KongMetrics()  # what the prometheus plugin records

    def chain(self, match: Any) -> Chain | None:
        """Return the chain for a router Match (None when no plugin applies to its route)."""
        return self._chains.get(match.route_id)

    def chain_for(self, route_id: int) -> Chain | None:
        """Return the chain for the route at route_id (its position in the file)."""
        return self._chains.get(route_id)


def build_plugins(config: Mapping[str, Any], *, clock: Callable[[], float] | None = None,
                  where: str = "kong config") -> GatewayPlugins:
    """Return the plugins of a declarative config (references already resolved).

    Raise ValueError on an unknown plugin, a bad config field or a dangling reference.
    """
    runtime = Runtime(load_consumers(config, where), clock or time.time, KongMetrics())
    routes = list(iter_routes(config))
    route_ids: dict[str, int] = {}
    for route_id, _, route in routes:
        for ref in (route.get("name"), route.get("id")):
            if ref:
                route_ids[str(ref)] = route_id
    services = {str(s.get("name")): s for s in config.get("services") or []}
    services.update({str(s["id"]): s for s in config.get("services") or [] if s.get("id")})
    declared: dict[Scope, dict[str, Plugin]] = {}

    def declare(entity: Any, scope: Scope, label: str, here: str) -> None:
        if not isinstance(entity, Mapping):
            raise ValueError(f"{here}: a plugin must be a mapping")
        name = entity.get("name")
        here = f"{where}: {label} plugin {name!r}"
        cls = PLUGINS.get(name)  # type: ignore[arg-type]
        if cls is None:
            raise ValueError(f"{here}: unknown plugin; the local gateway implements "
                             f"{', '.join(sorted(PLUGINS))}")
        unknown = sorted(set(entity) - _ENTITY_FIELDS)
        if unknown:
            raise ValueError(f"{here}: unknown field(s) {', '.join(unknown)}")
        if entity.get("consumer") is not None:
            raise ValueError(f"{here}: consumer-scoped plugins are not supported by the local gateway")
        enabled = entity.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ValueError(f"{here}: enabled must be a boolean")
        plugin = cls(entity.get("config"), label, here, runtime)  # validated even when disabled
        slot = declared.setdefault(scope, {})
        if name in slot or (scope, name) in disabled:
            raise ValueError(f"{here}: declared twice for the same {label}")
        if enabled:
            slot[name] = plugin  # type: ignore[index]
        else:
            disabled.add((scope, name))  # type: ignore[arg-type]

    disabled: set[tuple[Scope, str]] = set()
    for i, entity in enumerate(config.get("plugins") or []):
        here = f"{where}: plugins[{i}]"
        target_route = _reference(entity, "route") if isinstance(entity, Mapping) else None
        target_service = _reference(entity, "service") if isinstance(entity, Mapping) else None
        if target_route is not None:
            if target_route not in route_ids:
                raise ValueError(f"{here}: no route {target_route!r}")
            declare(entity, ("route", route_ids[target_route]), f"route {target_route!r}", here)
        elif target_service is not None:
            if target_service not in services:
                raise ValueError(f"{here}: no service {target_service!r}")
            name = services[target_service]["name"]
            declare(entity, ("service", name), f"service {name!r}", here)
        else:
            declare(entity, ("global", None), "global", here)
    for service in config.get("services") or []:
        for i, entity in enumerate(service.get("plugins") or []):
            declare(entity, ("service", service["name"]), f"service {service['name']!r}",
                    f"{where}: service {service['name']!r} plugins[{i}]")
    for route_id, service, route in routes:
        label = f"route {route.get('name') or route_id!r}"
        for i, entity in enumerate(route.get("plugins") or []):
            declare(entity, ("route", route_id), label, f"{where}: {label} plugins[{i}]")

    global_ = declared.get(("global", None), {})
    chains: dict[int, Chain] = {}
    for route_id, service, _ in routes:
        by_service = declared.get(("service", service["name"]), {})
        by_route = declared.get(("route", route_id), {})
        chosen = {**global_, **by_service, **by_route}  # route > service > global
        active = tuple(p for p in chosen.values() if p.has_access or p.has_header_filter or p.has_log)
        if active:
            chains[route_id] = Chain(active)
    return GatewayPlugins(chains, runtime.consumers, declared, runtime.metrics)


def _reference(entity: Mapping[str, Any], field: str) -> str | None:
    value = entity.get(field)
    if value is None:
        return None
    if isinstance(value, Mapping):
        value = value.get("name") or value.get("id")
    return str(value)
