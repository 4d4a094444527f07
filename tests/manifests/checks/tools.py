"""The linters: yamllint on every YAML file of the repository, shellcheck on the shell scripts."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from yamllint import linter
from yamllint.config import YamlLintConfig

from tests.manifests.checks.project import Project

_SKIP_DIRS = {"node_modules", "__pycache__"}


def yaml_files(root: Path) -> list[Path]:
    """Return every .yaml/.yml file of the tree, not descending into hidden or dependency folders."""
    found = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if not d.startswith(".") and d not in _SKIP_DIRS]
        found += [Path(directory) / f for f in files if f.endswith((".yaml", ".yml"))]
    return sorted(found)


def check_yamllint(project: Project) -> list[str]:
    """yamllint passes on every YAML file, with the repository's .yamllint."""
    config_file = project.root / ".yamllint"
    if not config_file.is_file():
        return [f"{config_file} is missing"]
    config = YamlLintConfig(file=str(config_file))
    problems = []
    for path in yaml_files(project.root):
        rel = path.relative_to(project.root)
        if config.is_file_ignored(str(rel)):
            continue
        for p in linter.run(path.read_text(encoding="utf-8"), config, str(rel)):
            problems.append(f"{rel}:{p.line}:{p.column}: {p.level}: {p.desc} ({p.rule})")
    return problems


def check_shellcheck(project: Project) -> list[str]:
    """kind-cluster/*.sh (and the CRDs' refresh.sh) pass shellcheck and can be run directly."""
    scripts = sorted((project.root / "kind-cluster").glob("*.sh")) + sorted(project.crds.glob("*.sh"))
    problems = [
        f"{s.relative_to(project.root) if s.is_relative_to(project.root) else s}: not executable (chmod +x)"
        for s in scripts
        if s.read_text(encoding="utf-8").startswith("#!") and not os.access(s, os.X_OK)
    ]
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        return problems + [
            "shellcheck is not installed: `make test` installs it (apt-get install shellcheck)"
        ]
    run = subprocess.run(
        [shellcheck, "--format=gcc", "--external-sources", *map(str, scripts)],
        capture_output=True,
        text=True,
        cwd=project.root,
        timeout=120,
    )
    if run.returncode not in (0, 1):
        problems.append(f"shellcheck failed to run: {run.stderr.strip()}")
    return problems + [line for line in run.stdout.splitlines() if line.strip()]
