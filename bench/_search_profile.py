"""Where one warm search's time goes, inside the function (run by bench/catalog.py, or by hand).

    DATABASE_URL=<catalog role URL> python bench/_search_profile.py [--requests N] [--pyinstrument]

The catalog-products function is called through functions-framework's Flask app (test client:
no socket, no gunicorn), single-threaded, rotating the bench's ten query words. Each request is
split with timers around its parts: parsing the query (pydantic), the use case (search_products),
inside it the driver's execute calls (SQLAlchemy's before/after_cursor_execute events: the SQL
on the server, the wire and pg8000's decoding), the rest of the use case (SQLAlchemy: statement
building, compile cache lookups, result rows; and the views), the JSON encoding with its ETag,
and what is left (Flask, functions-framework, our wrapper, the log line). Prints one JSON object
(median ms per request for each part); --pyinstrument prints its call tree to stderr as well.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
WORDS = ("wireless", "waterproof", "cotton", "stainless steel", "noise cancelling",
         "usb-c", "laptop", "mug", "tent", "jacket")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--pyinstrument", action="store_true")
    args = parser.parse_args()

    import functions_framework
    from sqlalchemy import event

    import functions.catalog.search as search
    import functions.runtime.validation as validation
    import functions.runtime.web as web
    from functions.runtime.db import get_engine

    app = functions_framework.create_app("products", str(REPO / "functions/catalog/main.py"), "http")
    client = app.test_client()
    parts: dict[str, float] = {}

    def timed(name, fn):
        def wrapper(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                parts[name] = parts.get(name, 0.0) + (time.perf_counter() - t) * 1000
        return wrapper

    search.search_products = timed("use case", search.search_products)
    validation.parse_query = timed("parse query (pydantic)", validation.parse_query)
    web.dumps = timed("JSON + ETag", web.dumps)
    engine = get_engine()
    starts: list[float] = []
    event.listen(engine, "before_cursor_execute", lambda *a: starts.append(time.perf_counter()))
    event.listen(engine, "after_cursor_execute", lambda *a: parts.__setitem__(
        "sql", parts.get("sql", 0.0) + (time.perf_counter() - starts.pop()) * 1000))
    statements: list[int] = []
    event.listen(engine, "after_cursor_execute", lambda *a: statements.append(1))

    paths = ["/?" + urlencode({"q": w, "page_size": 20}) for w in WORDS]
    for path in paths * 3:  # warm: compile caches, pydantic, the pool
        assert client.get(path).status_code == 200
    samples: list[dict[str, float]] = []
    profiler = None
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    statements.clear()
    for i in range(args.requests):
        parts.clear()
        t = time.perf_counter()
        assert client.get(paths[i % len(paths)]).status_code == 200
        parts["total"] = (time.perf_counter() - t) * 1000
        samples.append(dict(parts))
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False), file=sys.stderr)

    def med(name: str) -> float:
        return statistics.median(s.get(name, 0.0) for s in samples)

    out = {
        "total": med("total"),
        "sql (driver execute: server, wire, pg8000)": med("sql"),
        "SQLAlchemy + views (use case minus SQL)": statistics.median(
            s.get("use case", 0) - s.get("sql", 0) for s in samples),
        "parse query (pydantic)": med("parse query (pydantic)"),
        "JSON + ETag": med("JSON + ETag"),
        "Flask, functions-framework, wrapper, log": statistics.median(
            s["total"] - s.get("use case", 0) - s.get("parse query (pydantic)", 0) - s.get("JSON + ETag", 0)
            for s in samples),
        "statements per request": len(statements) / args.requests,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
