"""Authentication costs: login latency, and what JWT verification adds at the gateway.

1. argon2id: one password check in this process (the parameters in functions/accounts/adapters/passwords.py).
2. Login: `POST /api/auth/login` sent straight to the accounts-login function (the gateway's
   login rate limit would refuse a benchmark's pace; it is a brute-force guard). p50/p99.
3. JWT at the gateway: `GET /api/users/me` through two gateways that share one accounts-me
   process, one with the route's `jwt` plugin (Kong's RS256 check) and one without it, requests
   interleaved so both see the same machine. The difference of the p50s is the plugin's cost.

4. Revocation check: what every function acting for a user adds to check the token against its
   domain's copy of ended sessions and current roles (functions/runtime/access.py): a pooled
   connection and one indexed lookup, timed in this process against the same database.

Read the login figure against the hash's own time (OWASP's minimum parameters); the JWT overhead and the
revocation check against the p50 without them (the ratios are printed).
"""

from __future__ import annotations

import argparse
import copy
import http.client
import json
import os
import tempfile
import time
import uuid
from pathlib import Path

import yaml
from _common import REPO, percentile, seeded_database, sigterm_as_interrupt, table

from functions.accounts.adapters import passwords
from localrun.dev.keys import ensure_key_pair
from localrun.dev.stack import secrets_for
from localrun.gateway.plugins import load_gateway
from localrun.gateway.server import Gateway, serve
from localrun.gateway.vault import secrets_env

PASSWORD = "a benchmark passphrase"
KONG_FILE = REPO / "knative" / "kong" / "kong.yaml"


def argon2_ms(runs: int) -> list[float]:
    hashed = passwords.hash_password(PASSWORD)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        passwords.verify(hashed, PASSWORD)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def request(conn: http.client.HTTPConnection, method: str, path: str, body: dict | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, bytes, float]:
    """Send one request on a kept-alive connection; return status, body and milliseconds."""
    payload = json.dumps(body).encode() if body is not None else None
    started = time.perf_counter()
    conn.request(method, path, body=payload,
                 headers={"Content-Type": "application/json", **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    return response.status, data, (time.perf_counter() - started) * 1000


def without_jwt(tmp: Path) -> Path:
    """Write kong.yaml with every jwt plugin removed: the baseline gateway's config."""
    config = copy.deepcopy(yaml.safe_load(KONG_FILE.read_text()))
    for service in config["services"]:
        for route in service.get("routes", []):
            route["plugins"] = [p for p in route.get("plugins", []) if p["name"] != "jwt"]
    path = tmp / "kong-without-jwt.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def login_ms(port: int, email: str, runs: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    timings = []
    for _ in range(runs):
        status, body, ms = request(conn, "POST", "/api/auth/login", {"email": email, "password": PASSWORD})
        assert status == 200, body
        timings.append(ms)
    conn.close()
    return timings


def me_ms(ports: dict[str, int], token: str, runs: int) -> dict[str, list[float]]:
    conns = {name: http.client.HTTPConnection("127.0.0.1", port, timeout=30) for name, port in ports.items()}
    timings: dict[str, list[float]] = {name: [] for name in ports}
    auth = {"Authorization": f"Bearer {token}"}
    for i in range(runs + 50):
        for name, conn in conns.items():  # interleaved: both gateways see the same machine state
            status, body, ms = request(conn, "GET", "/api/users/me", headers=auth)
            assert status == 200, (name, body)
            if i >= 50:  # the first 50 warm both paths up
                timings[name].append(ms)
    for conn in conns.values():
        conn.close()
    return timings


def revocation_check_us(database_url: str, token: str, runs: int) -> list[float]:
    """Time functions/runtime/access.py's check as a function runs it, in microseconds."""

    import jwt

    from functions.runtime import access
    from functions.runtime.auth import Claims
    from functions.runtime.db import dispose_engine, read_only
    from functions.runtime.settings import reset_settings
    from schemas.migrate import role_url

    os.environ["DATABASE_URL"] = role_url(database_url, "accounts")
    reset_settings()
    dispose_engine()
    payload = jwt.decode(token, options={"verify_signature": False})  # the gateway checked it
    claims = Claims(sub=payload["sub"], role=payload["role"], exp=payload["exp"], sid=payload["sid"])
    timings = []
    for i in range(runs + 50):
        started = time.perf_counter()
        with read_only() as conn:
            assert access.check(conn, "accounts", claims) is None
        if i >= 50:
            timings.append((time.perf_counter() - started) * 1e6)
    dispose_engine()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=40)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    sigterm_as_interrupt()

    hashing = argon2_ms(10)
    print(f"argon2id t={passwords.TIME_COST} m={passwords.MEMORY_KIB // 1024} MiB "
          f"p={passwords.PARALLELISM}: one check p50 {percentile(hashing, 50):.1f} ms "
          f"(OWASP's minimum parameters; 15-20 ms of one core here)\n")

    with seeded_database("bench_auth", seed=False) as url, tempfile.TemporaryDirectory() as tmp:
        private, public = ensure_key_pair(Path(tmp))
        secrets = secrets_for(url, (private.read_text(), public.read_text()))
        gateway, activator = serve(REPO, secrets, port=0, idle_seconds=600)
        router, plugins = load_gateway(without_jwt(Path(tmp)), secrets_env(secrets))
        baseline = Gateway(router, activator, "127.0.0.1", 0, plugins=plugins)
        baseline.start()
        try:
            email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
            conn = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=30)
            status, body, _ = request(conn, "POST", "/api/auth/register",
                                      {"email": email, "password": PASSWORD, "name": "Bench"})
            assert status == 201, body
            status, body, _ = request(conn, "POST", "/api/auth/login", {"email": email, "password": PASSWORD})
            assert status == 200, body
            conn.close()
            token = json.loads(body)["access_token"]
            lease = activator.acquire("accounts-login")  # its own port: no gateway rate limit
            activator.release(lease)

            logins = login_ms(lease.port, email, args.logins)
            me = me_ms({"with jwt": gateway.port, "without": baseline.port}, token, args.requests)
            checks = revocation_check_us(url, token, args.requests)
        finally:
            baseline.stop()
            gateway.stop()
            activator.shutdown()

    print(table(["what", "runs", "p50 ms", "p99 ms"], [
        ["POST /api/auth/login (function)", len(logins), f"{percentile(logins, 50):.1f}",
         f"{percentile(logins, 99):.1f}"],
        ["GET /api/users/me, gateway with jwt", len(me["with jwt"]), f"{percentile(me['with jwt'], 50):.2f}",
         f"{percentile(me['with jwt'], 99):.2f}"],
        ["GET /api/users/me, gateway without", len(me["without"]), f"{percentile(me['without'], 50):.2f}",
         f"{percentile(me['without'], 99):.2f}"],
    ]))
    overhead = percentile(me["with jwt"], 50) - percentile(me["without"], 50)
    print(f"\njwt verification at the gateway: +{overhead * 1000:.0f} µs per request at p50 "
          f"(with/without = {percentile(me['with jwt'], 50) / percentile(me['without'], 50):.3f})")
    check = percentile(checks, 50)
    print(f"revocation check in the function: +{check:.0f} µs per request at p50, "
          f"p99 {percentile(checks, 99):.0f} µs ({check / 1000 / percentile(me['without'], 50):.1%} "
          f"of GET /api/users/me without jwt)")


if __name__ == "__main__":
    main()
