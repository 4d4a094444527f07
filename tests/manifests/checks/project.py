"""What the checks look at: the YAML under knative/ and kind-cluster/, the domains, the event catalog.

A Project is a snapshot of a repository tree (the real one, or a copy with a broken manifest in a
test), read lazily and once. Every check takes a Project and returns a list of problems, each a
line naming the file, the document and what is wrong; an empty list means the check passes.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from localrun.serving.manifests import load_documents, plain_env

MANIFEST_ROOTS = ("knative", "kind-cluster")
CRDS = Path(__file__).resolve().parents[1] / "crds"  # the upstream CRDs, vendored (crds/README.md)
NAMESPACE = "ecom"
REGISTRY = "localhost:5001"
load_yaml_all = load_documents  # the local runtime's reader: one way to read the manifests


@dataclass(frozen=True)
class Doc:
    """One YAML document of one file."""

    path: Path  # relative to the project root
    index: int
    data: Any

    @property
    def api_version(self) -> str:
        return str(self.data.get("apiVersion", "")) if isinstance(self.data, dict) else ""

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", "")) if isinstance(self.data, dict) else ""

    @property
    def meta(self) -> dict[str, Any]:
        return (self.data.get("metadata") or {}) if isinstance(self.data, dict) else {}

    @property
    def name(self) -> str:
        return str(self.meta.get("name", ""))

    @property
    def namespace(self) -> str:
        return str(self.meta.get("namespace") or NAMESPACE)

    @property
    def spec(self) -> dict[str, Any]:
        return (self.data.get("spec") or {}) if isinstance(self.data, dict) else {}

    def is_(self, group: str, kind: str) -> bool:
        return self.group == group and self.kind == kind

    def __str__(self) -> str:
        what = f" {self.kind}/{self.name}" if self.kind else ""
        return f"{self.path} (document {self.index + 1}){what}"


class Project:
    """The repository tree at `root`; `crds` is the directory of upstream CRDs to validate against."""

    def __init__(self, root: Path, crds: Path = CRDS) -> None:
        self.root = root.resolve()
        self.crds = crds.resolve()

    @functools.cached_property
    def manifest_files(self) -> list[Path]:
        """Return every YAML file under knative/ and kind-cluster/ (absolute paths)."""
        files: list[Path] = []
        for top in MANIFEST_ROOTS:
            files += [p for p in (self.root / top).rglob("*") if p.suffix in (".yaml", ".yml")]
        return sorted(p for p in files if p.is_file())

    @functools.cached_property
    def _loaded(self) -> tuple[list[Doc], list[str]]:
        docs: list[Doc] = []
        problems: list[str] = []
        for path in self.manifest_files:
            rel = path.relative_to(self.root)
            try:
                docs += [Doc(rel, i, d) for i, d in enumerate(load_yaml_all(path))]
            except yaml.YAMLError as exc:
                problems.append(f"{rel}: not valid YAML: {exc}")
        return docs, problems

    @property
    def docs(self) -> list[Doc]:
        """Return every document under knative/ and kind-cluster/."""
        return self._loaded[0]

    @property
    def load_problems(self) -> list[str]:
        return self._loaded[1]

    def objects(self, group: str | None = None, kind: str | None = None) -> Iterator[Doc]:
        """Yield the Kubernetes objects (apiVersion and kind), optionally of one group and kind."""
        for doc in self.docs:
            if not (doc.api_version and doc.kind):
                continue
            if (group is None or doc.group == group) and (kind is None or doc.kind == kind):
                yield doc

    def find(self, group: str, kind: str, name: str, namespace: str = NAMESPACE) -> Doc | None:
        """Return the object of that group, kind, name and namespace, or None."""
        for doc in self.objects(group, kind):
            if doc.name == name and doc.namespace == namespace:
                return doc
        return None

    @functools.cached_property
    def domains(self) -> list[str]:
        """Return every domain with functions: functions/<domain>/main.py."""
        return sorted(p.parent.name for p in (self.root / "functions").glob("*/main.py"))

    def targets(self, domain: str) -> list[str]:
        """Return the names in functions/<domain>/main.py's __all__ (read, not imported)."""
        tree = ast.parse((self.root / "functions" / domain / "main.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
            ):
                return [str(v) for v in ast.literal_eval(node.value)]
        return []

    @functools.cached_property
    def event_types(self) -> set[str]:
        """Return the CloudEvent types of events/catalog.yaml; no catalog means no types."""
        path = self.root / "events" / "catalog.yaml"
        if not path.is_file():
            return set()
        catalog = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return {str(e["type"]) for e in catalog.get("events") or [] if isinstance(e, dict) and "type" in e}


env_of = plain_env


def function_services(project: Project) -> Iterator[tuple[Doc, str, dict[str, Any]]]:
    """Yield (Knative Service, its domain, its container) for every Service that runs one of ours."""
    for doc in project.objects("serving.knative.dev", "Service"):
        containers = ((doc.spec.get("template") or {}).get("spec") or {}).get("containers") or []
        if not containers:
            continue
        source = env_of(containers[0]).get("FUNCTION_SOURCE", "")
        parts = Path(source).parts
        if len(parts) == 3 and parts[0] == "functions" and parts[2] == "main.py":
            yield doc, parts[1], containers[0]
