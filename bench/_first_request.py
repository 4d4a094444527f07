"""Where a cold function's time goes, measured inside one fresh process (run by cold_start.py).

    python bench/_first_request.py <source> <target> <path> [<header>=<value> ...]

Prints one JSON object: {"stages": [[label, ms], ...], "lazy": [modules the first request imported]}.
The stages run in the order a cold start runs them, but each heavy group is imported on its own
first, so its cost is named: flask + functions_framework (the floor's imports), the source
(create_app), then what the first request needs (SQLAlchemy, pydantic, pg8000, the engine, the
connection with the dialect's first-connect queries), then the first request itself (statement
compile, query, serialisation) and a second one (warm) for comparison.
"""

from __future__ import annotations

import importlib
import json
import sys
import time

HEAVY = ("sqlalchemy", "pydantic", "pg8000", "jwt", "cryptography", "argon2", "pythonjsonlogger")
# The staged run imports each group the natural run loaded, in this order, before the source.
GROUPS = (
    ("sqlalchemy", ("sqlalchemy",)),
    ("sqlalchemy's postgresql dialects", ("sqlalchemy.dialects.postgresql.pg8000",)),
    ("pg8000", ("pg8000",)),
    ("pydantic", ("pydantic",)),
    ("jwt + cryptography", ("jwt", "cryptography.hazmat.primitives.asymmetric.rsa")),
    ("argon2", ("argon2",)),
    ("pythonjsonlogger", ("pythonjsonlogger.json",)),
)


def main() -> None:
    source, target, path, *header_args = sys.argv[1:]
    headers = dict(h.split("=", 1) for h in header_args)
    wanted = set(filter(None, headers.pop("--groups", ",".join(HEAVY)).split(",")))
    stages: list[list[object]] = []
    t = time.perf_counter()

    def stage(label: str) -> None:
        nonlocal t
        now = time.perf_counter()
        stages.append([label, round((now - t) * 1000, 2)])
        t = now

    import flask  # noqa: F401
    import functions_framework

    stage("import flask + functions_framework (the floor's)")
    if "--natural" not in headers:
        for label, modules in GROUPS:
            if modules[0].split(".")[0] in wanted and modules[0] not in sys.modules:
                for module in modules:
                    importlib.import_module(module)
                stage(f"import {label}")
    app = functions_framework.create_app(target, source, "http")
    stage("function source: the rest of its imports + create_app")
    loaded = {m for m in HEAVY if m in sys.modules}
    if "--natural" in headers:  # the first request as it comes: what does it import on its own?
        del headers["--natural"]
        client = app.test_client()
        before = set(sys.modules)
        status = client.get(path, headers=headers).status_code
        stage(f"first request, everything it imports ({status})")
        client.get(path, headers=headers)
        stage("second request")
        lazy = sorted({m.split(".")[0] for m in set(sys.modules) - before} & set(HEAVY))
        print(json.dumps({"stages": stages, "lazy": lazy, "at_load": sorted(loaded)}))
        return
    from functions.runtime.db import get_engine

    engine = get_engine()
    stage("create_engine (dialect, pool)")
    with engine.connect():
        pass
    stage("first connect: pg8000 connect + dialect initialise")
    client = app.test_client()
    status = client.get(path, headers=headers).status_code
    stage(f"first request: compile, query, JSON, the rest ({status})")
    client.get(path, headers=headers)
    stage("second request (warm)")
    print(json.dumps({"stages": stages, "lazy": [], "at_load": sorted(loaded)}))


if __name__ == "__main__":
    main()
