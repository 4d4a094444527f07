"""The static checks of the Kubernetes side (knative/, kind-cluster/): no cluster needed.

Each check takes a Project and returns its problems (empty: it passes). tests/manifests runs
every check on the repository and, for each, on a copy with a deliberately broken manifest.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.manifests.checks.builds import (
    check_domain_builds,
    check_func_templates,
    check_images,
    check_kustomization,
)
from tests.manifests.checks.consistency import (
    check_database,
    check_function_services,
    check_kong_references,
    check_kong_secrets,
)
from tests.manifests.checks.eventing import (
    check_broker,
    check_pingsources,
    check_relays_and_bridge,
    check_triggers,
)
from tests.manifests.checks.project import Project
from tests.manifests.checks.serving import check_autoscaling, check_revision_limits
from tests.manifests.checks.tools import check_shellcheck, check_yamllint
from tests.manifests.checks.validate import check_schemas

Check = Callable[[Project], list[str]]

CHECKS: dict[str, Check] = {
    check.__name__.removeprefix("check_"): check
    for check in (
        check_schemas,
        check_yamllint,
        check_autoscaling,
        check_revision_limits,
        check_broker,
        check_triggers,
        check_pingsources,
        check_relays_and_bridge,
        check_images,
        check_kustomization,
        check_database,
        check_function_services,
        check_domain_builds,
        check_func_templates,
        check_kong_references,
        check_kong_secrets,
        check_shellcheck,
    )
}

__all__ = ["CHECKS", "Check", "Project"]
