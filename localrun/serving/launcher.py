"""How one function is run locally: a functions-framework process, as in the domain's image."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from localrun.serving.manifests import FunctionSpec
from localrun.serving.processes import Spawner, free_port, output_streams, pump, terminate, wait_listening

HOST = "127.0.0.1"


class StartError(RuntimeError):
    """A function could not be started: unknown, crashed while starting, or too slow to listen."""


@dataclass(frozen=True, slots=True)
class Started:
    """A function process that accepts connections."""

    proc: subprocess.Popen[bytes]
    port: int
    ms: float


class Launcher:
    """Starts function processes that listen on a free local port and die with this process."""

    def __init__(
        self,
        repo_root: Path,
        base_env: Mapping[str, str] | None = None,
        log_to: IO[Any] | None = None,
        start_timeout: float = 20.0,
        stop_grace: float = 5.0,
    ) -> None:
        self.repo_root = Path(repo_root).resolve()
        self.start_timeout = start_timeout
        self.stop_grace = stop_grace
        self._base_env = dict(os.environ if base_env is None else base_env)
        self._overrides: dict[str, str] = {}
        self._log_to = log_to
        self._spawner = Spawner()

    def add_env(self, **values: str) -> None:
        """Give every function started from now on these variables (the local runtime's addresses, a
        test's settings), over what its manifest says: what the runtime sets here is meant."""
        self._overrides.update(values)

    def command(self, spec: FunctionSpec, port: int) -> list[str]:
        """Return the argv that serves spec on port."""
        return [sys.executable, "-m", "functions_framework", "--source", spec.source,
                "--target", spec.target, "--signature-type", spec.signature_type,
                "--host", HOST, "--port", str(port)]

    def environment(self, spec: FunctionSpec, port: int) -> dict[str, str]:
        """Return the child's environment: base, repo on PYTHONPATH, the manifest's env, add_env's, Knative's."""
        env = dict(self._base_env)
        # The repo root first, so `functions.*` imports resolve as in the domain's image.
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(self.repo_root), env.get("PYTHONPATH")) if p)
        # Logs are JSON lines read live; a block-buffered pipe would hold them back.
        env.setdefault("PYTHONUNBUFFERED", "1")
        env.update(spec.env)
        env.update(self._overrides)
        # What Knative's revision and queue-proxy set in every container.
        env.update(PORT=str(port), K_SERVICE=spec.name, K_CONFIGURATION=spec.name,
                   K_REVISION=f"{spec.name}-00001")
        return env

    def launch(self, spec: FunctionSpec, on_spawn: Callable[[subprocess.Popen[bytes], int], bool]) -> Started:
        """Start spec and wait until it listens; on_spawn(proc, port) False aborts. Raise StartError."""
        t0 = time.perf_counter()
        port = free_port(HOST)
        stdout, stderr, needs_pump = output_streams(self._log_to)
        try:
            proc = self._spawner.spawn(self.command(spec, port), cwd=str(self.repo_root),
                                       env=self.environment(spec, port), stdin=subprocess.DEVNULL,
                                       stdout=stdout, stderr=stderr)
        except OSError as exc:
            raise StartError(f"function {spec.name} could not be spawned: {exc}") from exc
        if needs_pump and proc.stdout is not None and self._log_to is not None:
            pump(proc.stdout, self._log_to)
        try:
            if on_spawn(proc, port):
                problem = wait_listening(proc, HOST, port, self.start_timeout)
            else:
                problem = "was cancelled: the runtime is shutting down"
        except BaseException:
            terminate([proc], self.stop_grace)
            raise
        if problem is not None:
            terminate([proc], self.stop_grace)
            raise StartError(f"function {spec.name} (pid {proc.pid}) {problem}")
        return Started(proc, port, (time.perf_counter() - t0) * 1000)

    def close(self) -> None:
        """Stop spawning; children still alive get SIGTERM when the spawner thread ends."""
        self._spawner.close()
