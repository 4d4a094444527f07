"""What gets built and applied: images, kustomization, each domain's Dockerfile and func.yaml.

Every image a manifest names from the local registry is one `make images` builds (its list comes
from `make print-images`), others carry a fixed tag; knative/kustomization.yaml applies every
manifest under knative/; the one Dockerfile copies the shared runtime and only the domain it is
built for; each domain (functions/<domain>/main.py) has a func.yaml; the kn func templates are complete.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.manifests.checks.project import NAMESPACE, REGISTRY, Project, load_yaml_all
from tests.manifests.checks.validate import own_validator, schema_problems


def built_images(root: Path, tag: str = "test") -> frozenset[str] | str:
    """Return the images `make images` builds (from `make print-images`), or why it cannot say."""
    run = subprocess.run(
        ["make", "--no-print-directory", "-s", "-C", str(root), "print-images", f"IMAGE_TAG={tag}"],
        capture_output=True,
        text=True,
        timeout=60,
        # Not the flags of a `make test` this may run under (-n, -k, a jobserver).
        env={k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")},
    )
    if run.returncode != 0:
        return f"`make print-images` failed: {run.stderr.strip()}"
    return frozenset(run.stdout.split())


def _images(data: Any) -> Iterator[str]:
    """Yield every container image in an object (pod specs at any depth, operator image fields)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                yield from (str(c["image"]) for c in value if isinstance(c, dict) and "image" in c)
            elif key in ("imageName", "image") and isinstance(value, str):
                yield value
            else:
                yield from _images(value)
    elif isinstance(data, list):
        for item in data:
            yield from _images(item)


def untagged(image: str) -> str:
    """Return an image reference without its tag (registry ports are not tags)."""
    name, _, tag = image.rpartition(":")
    return name if name and "/" not in tag else image


def check_images(project: Project) -> list[str]:
    """Images from the local registry are built by `make images`; others carry a fixed tag.

    The manifests name ours as :latest; deploy.sh sets the tag `make images` pushed (checked by
    tests/manifests/test_deploy_order.py), so only the names are compared here.
    """
    built = built_images(project.root)
    if isinstance(built, str):
        return [built]
    built_names = {untagged(b) for b in built}
    problems = []
    for doc in project.objects():
        for image in _images(doc.data):
            if image.startswith(f"{REGISTRY}/"):
                if untagged(image) not in built_names:
                    problems.append(
                        f"{doc}: image {image} is not built by `make images` "
                        f"(it builds {', '.join(sorted(built))})"
                    )
            elif "@sha256:" not in image and (
                ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest")
            ):
                problems.append(f"{doc}: image {image} must name a fixed tag (or digest), not latest")
    return problems


def _kustomized(project: Project, directory: Path, seen: set[Path], problems: list[str]) -> set[Path]:
    """Return the files a kustomization directory applies (recursively), noting missing ones."""
    path = directory / "kustomization.yaml"
    if path in seen:
        return set()
    seen.add(path)
    if not path.is_file():
        problems.append(f"{directory.relative_to(project.root)}: no kustomization.yaml")
        return set()
    files: set[Path] = set()
    kustomization = load_yaml_all(path)[0]
    for entry in kustomization.get("resources") or []:
        target = (directory / entry).resolve()
        if target.is_dir():
            files |= _kustomized(project, target, seen, problems)
        elif target.is_file():
            files.add(target)
        else:
            problems.append(f"{path.relative_to(project.root)}: resource {entry} does not exist")
    for generator in kustomization.get("configMapGenerator") or []:
        for entry in generator.get("files") or []:
            target = directory / entry.partition("=")[2 if "=" in entry else 0]
            if not target.is_file():
                problems.append(
                    f"{path.relative_to(project.root)}: configMapGenerator file {entry} does not exist"
                )
            files.add(target.resolve())
    return files


def check_kustomization(project: Project) -> list[str]:
    """knative/kustomization.yaml applies every manifest under knative/; scripts apply kind-cluster/'s."""
    problems: list[str] = []
    applied = _kustomized(project, project.root / "knative", set(), problems)
    manifests = {
        project.root / d.path
        for d in project.objects()
        if d.kind != "Kustomization" and d.path.parts[0] == "knative"
    }
    for path in sorted(manifests - applied):
        problems.append(
            f"{path.relative_to(project.root)}: not applied by knative/kustomization.yaml "
            "(add it to resources)"
        )
    scripts = " ".join(p.read_text(encoding="utf-8") for p in (project.root / "kind-cluster").glob("*.sh"))
    for path in sorted({d.path for d in project.docs if d.path.parts[0] == "kind-cluster"}):
        if path.name not in scripts:
            problems.append(f"{path}: no kind-cluster/*.sh uses it")
    return problems


def check_domain_builds(project: Project) -> list[str]:
    """The one Dockerfile copies the runtime and the DOMAIN argument's code only; each domain has a func.yaml."""
    problems = []
    dockerfile = project.root / "knative" / "images" / "Dockerfile"
    if not dockerfile.is_file():
        problems.append("knative/images/Dockerfile is missing: every image is built from it")
    else:
        text = dockerfile.read_text(encoding="utf-8")
        copied = set(re.findall(r"^COPY\s+(?:--\S+\s+)*(functions/[^\s]*)", text, re.M))
        wanted = {"functions/__init__.py", "functions/runtime/", "functions/${DOMAIN}/"}
        if copied != wanted:
            problems.append(
                f"knative/images/Dockerfile: copies {sorted(copied)}; it must copy exactly {sorted(wanted)}"
            )
        if not re.search(r"^ARG DOMAIN\b", text, re.M):
            problems.append("knative/images/Dockerfile: the domain must be a build argument (ARG DOMAIN)")
        if "python -m compileall -q functions" not in text:
            problems.append("knative/images/Dockerfile: precompile the bytecode (python -m compileall)")
    for domain in project.domains:
        problems += _func_yaml(project, domain)
    return problems


def _func_yaml(project: Project, domain: str) -> list[str]:
    path = project.root / "functions" / domain / "func.yaml"
    if not path.is_file():
        return [f"domain {domain}: no functions/{domain}/func.yaml (kn func's view of the domain)"]
    where = path.relative_to(project.root)
    func = load_yaml_all(path)[0]
    problems = schema_problems(own_validator("func_yaml_schema.yaml"), func, where)
    env = {e.get("name"): e.get("value") for e in (func.get("run") or {}).get("envs") or []}
    wants = {
        "name": (func.get("name"), domain),
        "image": (func.get("image"), f"{REGISTRY}/ecom-{domain}:latest"),
        "deploy.namespace": ((func.get("deploy") or {}).get("namespace"), NAMESPACE),
        "FUNCTION_SOURCE": (env.get("FUNCTION_SOURCE"), f"functions/{domain}/main.py"),
    }
    problems += [
        f"{where}: {what} is {got!r}, not {want!r}" for what, (got, want) in wants.items() if got != want
    ]
    if env.get("FUNCTION_TARGET") not in project.targets(domain):
        problems.append(
            f"{where}: FUNCTION_TARGET {env.get('FUNCTION_TARGET')!r} is not in "
            f"functions/{domain}/main.py's __all__"
        )
    return problems


def check_func_templates(project: Project) -> list[str]:
    """The kn func template repository lists templates that exist and have our files."""
    root = project.root / "knative" / "func-templates"
    manifest = root / "manifest.yaml"
    if not manifest.is_file():
        return [f"{manifest.relative_to(project.root)} is missing"]
    problems = []
    for runtime in load_yaml_all(manifest)[0].get("runtimes") or []:
        for template in runtime.get("templates") or []:
            directory = root / runtime["path"] / template["path"]
            for name in ("main.py", "test_main.py", "README.md", "manifest.yaml"):
                if not (directory / name).is_file():
                    problems.append(f"{(directory / name).relative_to(project.root)} is missing")
    return problems
