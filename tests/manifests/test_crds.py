"""The vendored CRDs are the ones SOURCES names, at the versions make cluster installs."""

from __future__ import annotations

import re

from tests.manifests.checks.project import CRDS
from tests.manifests.conftest import REPO

# kind-cluster/versions.sh's variable for each upstream repository, and how its tags are spelt.
VERSION_OF = {
    "knative/serving": ("KNATIVE_SERVING_VERSION", "{}"),
    "knative/eventing": ("KNATIVE_EVENTING_VERSION", "{}"),
    "knative-extensions/eventing-rabbitmq": ("EVENTING_RABBITMQ_VERSION", "{}"),
    "rabbitmq/cluster-operator": ("RABBITMQ_CLUSTER_OPERATOR_VERSION", "{}"),
    "rabbitmq/messaging-topology-operator": ("RABBITMQ_TOPOLOGY_OPERATOR_VERSION", "{}"),
    "cloudnative-pg/cloudnative-pg": ("CNPG_VERSION", "v{}"),
}


def sources() -> list[list[str]]:
    lines = (CRDS / "SOURCES").read_text(encoding="utf-8").splitlines()
    return [line.split() for line in lines if line.strip() and not line.startswith("#")]


def test_sources_lists_exactly_the_vendored_files() -> None:
    listed = [row[0] for row in sources()]
    assert all(len(row) == 5 for row in sources()), "file repository tag commit upstream-path"
    assert sorted(listed) == sorted(str(p.relative_to(CRDS)) for p in CRDS.rglob("*.yaml"))
    assert all(re.fullmatch(r"[0-9a-f]{40}", row[3]) for row in sources()), "a full commit hash each"


def test_the_crds_are_of_the_versions_the_cluster_installs() -> None:
    versions = dict(
        re.findall(r"^([A-Z_]+)=(\S+)", (REPO / "kind-cluster" / "versions.sh").read_text(), re.M)
    )
    for _file, repo, tag, _commit, _path in sources():
        variable, spelling = VERSION_OF[repo]
        assert tag == spelling.format(versions[variable]), f"{repo}: SOURCES has {tag}, versions.sh {variable}"


def test_each_file_is_a_crd() -> None:
    for path in CRDS.rglob("*.yaml"):
        assert "kind: CustomResourceDefinition" in path.read_text(encoding="utf-8"), path
