"""The repository needs nothing beside it: no tracked file points at a folder outside it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# What a path out of the repository looks like: a sibling folder (two dots, a slash, "shared") or a
# workspace path. Relative links inside the repository (../knative/) are fine.
OUTSIDE = re.compile(r"(?<![\w.])(?:\.\./)+(?:\.\./)*shared\b|/work/|shared/k8s-schemas")


def tracked_files() -> list[Path]:
    run = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, timeout=30)
    assert run.returncode == 0, run.stderr
    return [REPO / name for name in run.stdout.decode().split("\0") if name]


def test_no_tracked_file_points_outside_the_repository() -> None:
    found = []
    for path in tracked_files():
        if not path.is_file() or path == Path(__file__).resolve():
            continue  # deleted in the working tree
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += [
            f"{path.relative_to(REPO)}:{n}: {line.strip()}"
            for n, line in enumerate(text.splitlines(), 1)
            if OUTSIDE.search(line)
        ]
    assert found == [], "\n".join(found)
