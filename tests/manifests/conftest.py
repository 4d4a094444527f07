"""Fixtures for the manifest checks: the repository as it is, and a copy of it to break."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.manifests.checks import Project
from tests.manifests.checks.project import CRDS

REPO = Path(__file__).resolve().parents[2]
_COPIED_DIRS = ("knative", "kind-cluster", "events")
_COPIED_FILES = ("Makefile", ".yamllint")


class Tree:
    """A copy of the files the checks read, to break one thing at a time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for name in _COPIED_DIRS:
            if (REPO / name).is_dir():
                shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        for name in _COPIED_FILES:
            shutil.copy2(REPO / name, root / name)
        for main in REPO.glob("functions/*/main.py"):
            for name in ("main.py", "func.yaml"):
                if (main.parent / name).is_file():
                    (root / main.parent.relative_to(REPO)).mkdir(parents=True, exist_ok=True)
                    shutil.copy2(main.parent / name, root / main.parent.relative_to(REPO) / name)

    def write(self, rel: str, content: str | list[Any] | dict[str, Any]) -> Path:
        """Write a file: text as it is, documents as YAML."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not isinstance(content, str):
            docs = content if isinstance(content, list) else [content]
            content = "---\n".join(yaml.safe_dump(d, sort_keys=False) for d in docs)
        path.write_text(content, encoding="utf-8")
        return path

    def edit(self, rel: str, old: str, new: str) -> None:
        """Replace the first `old` in a file (which must contain it)."""
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{rel} has no {old!r} to break"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def update(self, rel: str, change: Callable[[Any], None]) -> None:
        """Change a one-document YAML file as data (comments are not kept)."""
        path = self.root / rel
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    def add_kong(self, section: str, *entities: Any) -> None:
        """Add entities (YAML text or data) to a top-level section of Kong's declarative file."""
        parsed = [yaml.safe_load(e) if isinstance(e, str) else e for e in entities]
        self.update("knative/kong/kong.yaml", lambda kong: kong.setdefault(section, []).extend(parsed))

    def remove(self, rel: str) -> None:
        (self.root / rel).unlink()

    def project(self, crds: Path = CRDS) -> Project:
        return Project(self.root, crds)


@pytest.fixture(scope="session")
def project() -> Project:
    """The repository itself."""
    return Project(REPO)


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    """A copy of the repository's manifests to break."""
    return Tree(tmp_path / "repo")


def reports(problems: list[str], *fragments: str) -> bool:
    """True when one problem mentions every fragment (a check failed for the intended reason)."""
    return any(all(f in p for f in fragments) for p in problems)


def ksvc(
    name: str = "demo-thing",
    *,
    annotations: dict[str, Any] | None = None,
    spec: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
    signature: str = "http",
) -> dict[str, Any]:
    """Return a Knative Service as the project writes them (catalog's `products` function)."""
    return {
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "ecom", **(meta or {})},
        "spec": {
            "template": {
                "metadata": {
                    "annotations": annotations
                    if annotations is not None
                    else {"autoscaling.knative.dev/min-scale": "0", "autoscaling.knative.dev/max-scale": "10"}
                },
                "spec": {
                    "containerConcurrency": 10,
                    **(spec or {}),
                    "containers": [
                        {
                            "image": "localhost:5001/ecom-catalog:latest",
                            "env": [
                                {"name": "FUNCTION_SOURCE", "value": "functions/catalog/main.py"},
                                {"name": "FUNCTION_TARGET", "value": "products"},
                                {"name": "FUNCTION_SIGNATURE_TYPE", "value": signature},
                            ],
                        }
                    ],
                },
            }
        },
    }
