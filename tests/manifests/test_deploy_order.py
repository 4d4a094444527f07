"""`make cluster` then `make deploy`, run against stand-in tools: the order of what they apply.

Each check reads the trace of a dry run (checks/dryrun.py) of the repository's scripts, and each is
proven by a copy of the scripts broken the way they once were.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.manifests.checks.dryrun import Run, run_script
from tests.manifests.checks.project import REGISTRY, Project
from tests.manifests.conftest import REPO, Tree

pytestmark = pytest.mark.skipif(
    shutil.which("kubectl") is None, reason="the dry run renders the kustomizations with kubectl"
)
TAG = "git-0123456789ab"


def secrets_made_before_use(cluster: Run, deploy: Run) -> list[str]:
    """(a) Every Secret a pod applied reads exists by then: made earlier, or by an operator."""
    operator_made = {"ecom-db-app", "ecom-db-superuser", "ecom-rabbitmq-default-user"}
    problems = []
    for run in (cluster, deploy):
        made = set(operator_made) if run is deploy else set()
        if run is deploy:
            made |= {s.makes_secret() for s in cluster.steps} - {None}
        for step in run.steps:
            if (name := step.makes_secret()) is not None:
                made.add(name)
            for obj in step.objects if step.words[:1] == ["apply"] else []:
                missing = sorted(set(obj["secrets"]) - made)
                if missing and obj["kind"] in ("Deployment", "Job", "Service", "StatefulSet"):
                    problems.append(
                        f"{run.script}: applies {obj['kind']}/{obj['name']} before Secret(s) "
                        f"{', '.join(missing)} exist: its pods cannot start and the rollout wait fails"
                    )
    return problems


def cluster_operator_before_topology_operator(cluster: Run) -> list[str]:
    """(d) The RabbitMQ cluster operator is installed before the messaging-topology operator."""
    urls = [s.url or "" for s in cluster.steps]
    first = {
        name: next((i for i, u in enumerate(urls) if f"rabbitmq/{name}/" in u), None)
        for name in ("cluster-operator", "messaging-topology-operator")
    }
    if None in first.values():
        return [f"cluster.sh installs {', '.join(n for n, i in first.items() if i is None)}: not found"]
    if first["cluster-operator"] > first["messaging-topology-operator"]:
        return ["cluster.sh installs the messaging-topology operator before the RabbitMQ cluster operator"]
    return []


def functions_after_database_and_migrations(deploy: Run) -> list[str]:
    """(e) Knative Services and relays are applied only after the database and the migrations."""
    db_ready = next((i for i, s in enumerate(deploy.steps) if s.waits_for("cluster.postgresql.cnpg.io/ecom-db", "Ready")), None)
    migrated = next((i for i, s in enumerate(deploy.steps) if s.waits_for("job/ecom-migrate", "Complete")), None)
    problems = []
    if db_ready is None or migrated is None:
        return ["deploy.sh does not wait for the database to be Ready and the ecom-migrate Job to complete"]
    for index, obj in deploy.applied():
        runs_code = obj["kind"] == "Service" and obj["apiVersion"].startswith("serving.knative.dev/")
        runs_code |= obj["kind"] == "Deployment" and str(obj["name"]).startswith("relay-")
        if runs_code and index < migrated:
            problems.append(f"deploy.sh applies {obj['kind']}/{obj['name']} before the migrations completed")
        if obj["kind"] == "Job" and obj["name"] == "ecom-migrate" and index < db_ready:
            problems.append("deploy.sh applies the migration Job before the database is Ready")
    return problems


def images_tagged_by_revision(deploy: Run, tag: str) -> list[str]:
    """(c) Every image of ours is deployed with this revision's tag, never :latest."""
    problems = []
    for _, obj in deploy.applied():
        for image in obj["images"]:
            if image.startswith(f"{REGISTRY}/") and not image.endswith(f":{tag}"):
                problems.append(f"deploy.sh applies {obj['kind']}/{obj['name']} with {image}, not :{tag}")
    return problems


def relays_run(project: Project, deploy: Run) -> list[str]:
    """(b) A relay Deployment per domain and the RabbitmqSource bridge are deployed."""
    applied = {(o["kind"], o["name"]) for _, o in deploy.applied()}
    problems = [
        f"deploy.sh deploys no relay for domain {d} (Deployment relay-{d})"
        for d in project.domains
        if ("Deployment", f"relay-{d}") not in applied
    ]
    if not any(kind == "RabbitmqSource" for kind, _ in applied):
        problems.append("deploy.sh deploys no RabbitmqSource: nothing carries ecom.events into the Broker")
    return problems


def cluster_run(root: Path, tmp: Path) -> Run:
    run = run_script(root, "cluster.sh", tmp)
    assert run.returncode == 0, run.stderr
    return run


def deploy_run(root: Path, tmp: Path, tag: str | None = TAG) -> Run:
    run = run_script(root, "deploy.sh", tmp, {"IMAGE_TAG": tag} if tag else {})
    assert run.returncode == 0, run.stderr
    return run


def dry_run(root: Path, tmp: Path, tag: str | None = TAG) -> tuple[Run, Run]:
    """`make cluster`, then `make deploy`."""
    return cluster_run(root, tmp), deploy_run(root, tmp, tag)


@pytest.fixture(scope="module")
def repo_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Run]:
    """The repository's own scripts, with the tag from git (image-tag.sh)."""
    return dry_run(REPO, tmp_path_factory.mktemp("dryrun"), tag=None)


class TestTheScriptsAsTheyAre:
    def test_secrets_exist_before_the_pods_that_read_them(self, repo_runs: tuple[Run, Run]) -> None:
        assert secrets_made_before_use(*repo_runs) == []

    def test_the_cluster_operator_comes_before_the_topology_operator(self, repo_runs: tuple[Run, Run]) -> None:
        assert cluster_operator_before_topology_operator(repo_runs[0]) == []

    def test_functions_and_relays_come_after_the_database_and_migrations(self, repo_runs: tuple[Run, Run]) -> None:
        assert functions_after_database_and_migrations(repo_runs[1]) == []

    def test_images_carry_the_git_revision(self, repo_runs: tuple[Run, Run]) -> None:
        tag = subprocess.run([str(REPO / "kind-cluster" / "image-tag.sh")], capture_output=True, text=True)
        revision = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"],
                                  capture_output=True, text=True).stdout.strip()
        assert tag.stdout.startswith(f"git-{revision}")
        assert images_tagged_by_revision(repo_runs[1], tag.stdout.strip()) == []
        built = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(REPO), "print-images"],
                               capture_output=True, text=True).stdout.split()
        assert built and all(image.endswith(f":{tag.stdout.strip()}") for image in built)

    def test_a_relay_per_domain_and_the_bridge_are_deployed(self, repo_runs: tuple[Run, Run]) -> None:
        assert relays_run(Project(REPO), repo_runs[1]) == []


class TestBrokenScriptsFail:
    def test_kong_applied_by_make_cluster_before_the_jwt_secret_fails(self, tree: Tree, tmp_path: Path) -> None:
        tree.edit(
            "kind-cluster/cluster.sh",
            "  install_cloudnative_pg\n",
            '  install_cloudnative_pg\n  k apply -k "$HERE/../knative/kong" >/dev/null\n',
        )
        problems = secrets_made_before_use(*dry_run(tree.root, tmp_path))
        assert any("cluster.sh: applies Deployment/kong" in p and "ecom-jwt" in p for p in problems)

    def test_the_topology_operator_first_fails(self, tree: Tree, tmp_path: Path) -> None:
        script = tree.root / "kind-cluster" / "cluster.sh"
        lines = script.read_text().splitlines(keepends=True)
        cluster = next(i for i, line in enumerate(lines) if "cluster-operator/releases" in line)
        topology = next(i for i, line in enumerate(lines) if "messaging-topology-operator/releases" in line)
        lines[cluster], lines[topology] = lines[topology], lines[cluster]
        script.write_text("".join(lines))
        assert cluster_operator_before_topology_operator(cluster_run(tree.root, tmp_path))

    def test_services_applied_with_the_database_fail(self, tree: Tree, tmp_path: Path) -> None:
        tree.edit("kind-cluster/deploy.sh", "  apply_part kong\n", "  apply_part kong\n  apply_part services\n")
        problems = functions_after_database_and_migrations(deploy_run(tree.root, tmp_path))
        assert any("Service/catalog-products before the migrations" in p for p in problems)
        assert any("Deployment/relay-catalog before the migrations" in p for p in problems)

    def test_images_left_at_latest_fail(self, tree: Tree, tmp_path: Path) -> None:
        tree.edit("Makefile", "ecom-%s:$(IMAGE_TAG)", "ecom-%s:latest")  # the tag before revisions
        problems = images_tagged_by_revision(deploy_run(tree.root, tmp_path), TAG)
        assert any("Service/catalog-products" in p and ":latest" in p for p in problems)

    def test_no_relays_fail(self, tree: Tree, tmp_path: Path) -> None:
        tree.edit("knative/services/kustomization.yaml", "  - relays.yaml\n", "")
        tree.remove("knative/services/relays.yaml")
        problems = relays_run(tree.project(), deploy_run(tree.root, tmp_path))
        assert "deploy.sh deploys no relay for domain catalog (Deployment relay-catalog)" in problems
