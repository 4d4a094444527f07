"""shellcheck runs on kind-cluster/*.sh and fails on a bad script, or when it is not installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.manifests.checks import tools
from tests.manifests.checks.tools import check_shellcheck
from tests.manifests.conftest import REPO, Tree, reports


def test_shellcheck_is_installed() -> None:
    assert shutil.which("shellcheck"), "`make test` installs shellcheck (apt-get install shellcheck)"


def test_a_script_shellcheck_warns_about_fails(tree: Tree) -> None:
    script = tree.write("kind-cluster/clean.sh", "#!/usr/bin/env bash\nrm -rf $1/cache\n")
    script.chmod(0o755)
    assert reports(check_shellcheck(tree.project()), "kind-cluster/clean.sh", "SC2086")


def test_a_script_that_cannot_be_run_fails(tree: Tree) -> None:
    (tree.root / "kind-cluster" / "deploy.sh").chmod(0o644)
    assert reports(check_shellcheck(tree.project()), "deploy.sh: not executable")


def test_without_shellcheck_the_check_fails(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tools.shutil, "which", lambda name: None)
    assert reports(check_shellcheck(tree.project()), "shellcheck is not installed")


@pytest.mark.parametrize("script", sorted(p.name for p in (REPO / "kind-cluster").glob("*.sh")))
def test_the_scripts_parse(script: str) -> None:
    run = subprocess.run(["bash", "-n", str(REPO / "kind-cluster" / script)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_the_cluster_script_names_what_is_missing(tmp_path: Path) -> None:
    # A PATH with only what the script needs before its check: docker, kind, kubectl, kn are missing.
    (tmp_path / "dirname").symlink_to(shutil.which("dirname") or "/usr/bin/dirname")
    run = subprocess.run(
        [shutil.which("bash") or "/bin/bash", str(REPO / "kind-cluster" / "cluster.sh")],
        capture_output=True,
        text=True,
        env={"PATH": str(tmp_path)},
        timeout=30,
    )
    assert run.returncode == 1, run.stderr
    for tool in ("docker", "kind", "kubectl", "kn", "kn func"):
        assert f"  - {tool}" in run.stderr
