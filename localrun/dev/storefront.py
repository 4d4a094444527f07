"""The storefront under `make dev`: Next.js from frontend/, against the local gateway.

STOREFRONT_MODE=production runs `next build` then `next start`; otherwise `next dev`.
STOREFRONT_PORT (default 3000) is where it listens; STOREFRONT=off leaves it out.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"


def _say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def needs_npm_ci(frontend: Path = FRONTEND) -> bool:
    """Whether node_modules is missing or older than package-lock.json (npm ci rewrites its marker)."""
    marker = frontend / "node_modules" / ".package-lock.json"
    return not marker.exists() or marker.stat().st_mtime < (frontend / "package-lock.json").stat().st_mtime


class Storefront:
    """One Next.js process group, stopped as a whole."""

    def __init__(self, process: subprocess.Popen[bytes], url: str) -> None:
        self.process, self.url = process, url

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def start_storefront(gateway_url: str, env: dict[str, str] | None = None) -> Storefront | None:
    """Start the storefront (after `npm ci` when needed); None when it is switched off or npm is missing."""
    env = dict(os.environ) if env is None else env
    if env.get("STOREFRONT", "on").lower() in ("off", "0", "no"):
        _say("storefront: off (STOREFRONT=off)")
        return None
    if shutil.which("npm") is None:
        _say("storefront: not started: npm is missing (install Node.js 20.19+ with npm)")
        return None
    if needs_npm_ci():
        _say("storefront: node_modules is missing or older than package-lock.json: npm ci")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, check=True)
    port = env.get("STOREFRONT_PORT", "3000")
    production = env.get("STOREFRONT_MODE", "dev") == "production"
    next_bin = str(FRONTEND / "node_modules" / ".bin" / "next")
    child_env = {**env, "GATEWAY_URL": gateway_url, "NEXT_TELEMETRY_DISABLED": "1"}
    if production:
        _say("storefront: production mode (STOREFRONT_MODE=production): next build, then next start")
        subprocess.run([next_bin, "build"], cwd=FRONTEND, env=child_env, check=True)
        command = [next_bin, "start", "-p", port]
    else:
        _say("storefront: dev server (next dev, reloads on save); STOREFRONT_MODE=production for a production build")
        command = [next_bin, "dev", "-p", port]
    process = subprocess.Popen(command, cwd=FRONTEND, env=child_env, start_new_session=True)
    url = f"http://localhost:{port}"
    _say(f"storefront: {url} (calls the gateway at {gateway_url})")
    return Storefront(process, url)
