"""Runs kind-cluster/cluster.sh and deploy.sh against stand-in tools and records what they do.

No cluster here, so the scripts run with `docker`, `kind`, `kn`, `openssl` and `kubectl` replaced by
one small script that logs each call and answers as a fresh cluster would (no Secrets yet, every
wait succeeds). `kubectl apply -k DIR` is rendered with the real `kubectl kustomize`, so the trace
holds the objects each step applies, with their images and the Secrets their pods read: the
order checks (tests/manifests/test_deploy_order.py) read it like a deploy log.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

TOOLS = ("docker", "kind", "kn", "openssl", "kubectl")
REAL_KUBECTL = shutil.which("kubectl")

# The stand-in: one shell script under every tool name. Each call appends a line to $DRYRUN_LOG:
# the tool and its arguments, separated by \x1f; `kubectl apply -k DIR` also renders DIR with the
# real kubectl into a numbered file, named at the end of the line.
_FAKE = r"""#!/usr/bin/env bash
tool=$(basename "$0")
rendered=""
code=0
if [ "$tool" = kubectl ]; then
  words=()
  skip=0
  for a in "$@"; do
    if ((skip)); then skip=0; continue; fi
    case "$a" in --context) skip=1 ;; --context=*) ;; *) words+=("$a") ;; esac
  done
  case "${words[0]:-} ${words[1]:-}" in
    "apply -k")
      rendered="$DRYRUN_LOG.$RANDOM$RANDOM.yaml"
      "$REAL_KUBECTL" kustomize "${words[2]}" >"$rendered" || code=1 ;;
    "get secret" | "get secrets" | "get namespace") code=1 ;;  # a fresh cluster: nothing there yet
    "logs "*) echo done ;;
  esac
elif [ "$tool" = openssl ]; then
  prev=""
  for a in "$@"; do
    if [ "$prev" = -out ]; then echo key >"$a"; fi
    if [ "$a" = rand ]; then echo 000000000000000000000000000000000000000000000000; fi
    prev=$a
  done
elif [ "$tool" = kind ]; then
  case "$1 $2" in
    "get clusters") echo ecom ;;
    "get nodes") echo ecom-control-plane ;;
  esac
elif [ "$tool" = docker ]; then
  case "$*" in
    *"{{.State.Running}}"*) echo true ;;
    inspect*) echo "{}" ;;
    *" -i "*) cat >/dev/null ;;
  esac
fi
{ printf '%s\x1f' "$tool" "$@"; printf '\x1e%s\n' "$rendered"; } >>"$DRYRUN_LOG"
exit "$code"
"""


def _summary(doc: dict[str, Any]) -> dict[str, Any]:
    """Kind, name, images and Secret names of one object."""
    images: list[str] = []
    secrets: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("containers", "initContainers") and isinstance(value, list):
                    images.extend(str(c.get("image")) for c in value if isinstance(c, dict))
                if key in ("secretKeyRef", "secretRef") and isinstance(value, dict):
                    secrets.append(str(value.get("name")))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(doc)
    meta = doc.get("metadata") or {}
    return {"kind": doc.get("kind"), "apiVersion": doc.get("apiVersion"), "name": meta.get("name"),
            "images": images, "secrets": secrets}


def _documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.load_all(path.read_text(encoding="utf-8"), Loader=_LOADER) if isinstance(d, dict)]


@dataclass
class Step:
    """One call of a stand-in tool."""

    tool: str
    args: list[str]
    url: str | None = None
    objects: list[dict[str, Any]] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        """The arguments without kubectl's --context and its value."""
        words, skip = [], False
        for arg in self.args:
            if skip or arg.startswith("--context="):
                skip = False
            elif arg == "--context":
                skip = True
            else:
                words.append(arg)
        return words

    def waits_for(self, what: str, condition: str) -> bool:
        return self.tool == "kubectl" and self.words[:1] == ["wait"] and what in self.words and (
            f"--for=condition={condition}" in self.words
        )

    def makes_secret(self) -> str | None:
        words = self.words
        if self.tool == "kubectl" and words[:3] == ["create", "secret", "generic"]:
            return words[3]
        return None


@dataclass
class Run:
    """What one script did, in order, and how it ended."""

    script: str
    returncode: int
    steps: list[Step]
    stderr: str

    def applied(self) -> list[tuple[int, dict[str, Any]]]:
        """Return (step index, object) for every object applied, in order."""
        return [(i, o) for i, s in enumerate(self.steps) if s.words[:1] == ["apply"] for o in s.objects]


def run_script(root: Path, script: str, tmp: Path, env: dict[str, str] | None = None) -> Run:
    """Run kind-cluster/<script> of the tree at `root` with the stand-in tools; return its trace."""
    if REAL_KUBECTL is None:
        raise RuntimeError("the dry run renders kustomizations with kubectl, which is not installed")
    bin_dir = tmp / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for tool in TOOLS:
        (bin_dir / tool).write_text(_FAKE, encoding="utf-8")
        (bin_dir / tool).chmod(0o755)
    log = tmp / f"{script}.log"
    log.unlink(missing_ok=True)
    run = subprocess.run(
        ["bash", str(root / "kind-cluster" / script)],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **{k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")},
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "DRYRUN_LOG": str(log),
            "REAL_KUBECTL": REAL_KUBECTL,
            **(env or {}),
        },
    )
    steps = []
    # split("\n"), not splitlines(), which also splits at \x1e
    for line in (log.read_text(encoding="utf-8").split("\n") if log.is_file() else []):
        if not line:
            continue
        call, _, rendered = line.partition("\x1e")
        tool, *args = call.split("\x1f")[:-1]
        step = Step(tool, args)
        words = step.words
        if tool == "kubectl" and words[:1] == ["apply"]:
            if rendered and Path(rendered).is_file():
                step.objects = [_summary(d) for d in _documents(Path(rendered))]
            elif "-f" in words:
                target = words[words.index("-f") + 1]
                if target.startswith("http"):
                    step.url = target
                else:
                    step.objects = [_summary(d) for d in _documents(Path(target))]
        steps.append(step)
    return Run(script, run.returncode, steps, run.stderr)


