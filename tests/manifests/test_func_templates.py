"""`kn func create -r knative/func-templates` scaffolds functions that work in this project.

A template is copied the way kn func writes it (every file but manifest.yaml), then its own
tests run against the copy.
"""

from __future__ import annotations

import importlib.util
import inspect
import shutil
from pathlib import Path

import pytest

from tests.manifests.conftest import REPO

TEMPLATES = REPO / "knative" / "func-templates" / "python"


@pytest.mark.parametrize("template", ["http", "cloudevents"])
def test_a_scaffolded_function_passes_its_own_tests(
    template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scaffold = tmp_path / "functions" / "demo"
    shutil.copytree(
        TEMPLATES / template, scaffold, ignore=shutil.ignore_patterns("manifest.yaml", "__pycache__")
    )
    for var in ("FUNCTION_TARGET", "FUNCTION_SIGNATURE_TYPE", "FUNCTION_SOURCE"):
        monkeypatch.delenv(var, raising=False)  # create_app sets them as a side effect
    spec = importlib.util.spec_from_file_location(f"scaffold_{template}", scaffold / "test_main.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tests = [f for name, f in inspect.getmembers(module, inspect.isfunction) if name.startswith("test_")]
    assert len(tests) >= 3
    for test in tests:
        test()
