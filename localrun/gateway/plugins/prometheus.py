"""Kong's prometheus plugin (priority 13): accepted in the file, does nothing locally.

Kong exposes its metrics on the Status API; the local gateway has no metrics endpoint, so the
declaration is accepted (any config fields) and the plugin never runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localrun.gateway.plugins.base import Plugin, Runtime


class Prometheus(Plugin):
    """A no-op stand-in so the cluster's declarative file loads unchanged."""

    name = "prometheus"
    priority = 13

    def __init__(self, config: Mapping[str, Any] | None, scope: str, where: str, runtime: Runtime) -> None:
        if config is not None and not isinstance(config, Mapping):
            raise ValueError(f"{where}: config must be a mapping")
        self.scope, self.where, self.runtime = scope, where, runtime
        self.config = dict(config or {})
