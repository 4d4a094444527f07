"""knative/ builds with kustomize (kubectl's), and the generated ConfigMaps are wired in."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from tests.manifests.conftest import REPO

KUBECTL = shutil.which("kubectl")


@pytest.mark.skipif(
    KUBECTL is None,
    reason="kubectl is not installed: kustomize's own build is not run (the kustomization check still runs)",
)
def test_kustomize_builds_the_manifests_with_generated_config_maps_referenced() -> None:
    run = subprocess.run(
        [KUBECTL, "kustomize", str(REPO / "knative")], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    docs = [d for d in yaml.safe_load_all(run.stdout) if d]
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == {"ecom"}
    generated = {d["metadata"]["name"] for d in docs if d["kind"] == "ConfigMap"}
    mounted = {
        v["configMap"]["name"]
        for d in docs
        if d["kind"] == "Deployment"
        for v in d["spec"]["template"]["spec"].get("volumes") or []
        if "configMap" in v
    }
    assert mounted and mounted <= generated
    assert all(name.rsplit("-", 1)[0] in ("kong-declarative", "dead-letter-sink") for name in mounted)
