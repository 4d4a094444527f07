"""Helpers the benchmarks share: a seeded scratch database, one HTTP request, percentiles, tables."""

from __future__ import annotations

import http.client
import json
import math
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python bench/x.py` puts bench/, not the repo, on sys.path
    sys.path.insert(0, str(REPO))

SERVER_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+pg8000://postgres@127.0.0.1:5432/postgres")
HOST = "127.0.0.1"
QUERY_WORDS: tuple[str, ...] = ("wireless", "waterproof", "cotton", "stainless steel", "noise cancelling",
                                "usb-c", "laptop", "mug", "tent", "jacket")


@contextmanager
def seeded_database(purpose: str, seed: bool = True) -> Iterator[str]:
    """Yield the migration role's URL of a fresh, migrated (and seeded) database; drop it after."""
    from sqlalchemy import create_engine

    from functions.catalog.adapters.seed import load_seed, seed_catalog
    from localrun.dev.scratch import scratch_database
    from schemas.migrate import role_url

    with scratch_database(SERVER_URL, purpose) as url:
        if seed:
            engine = create_engine(role_url(url, "catalog"))
            try:
                with engine.begin() as conn:
                    seed_catalog(conn, load_seed())
            finally:
                engine.dispose()
        yield url


def sigterm_as_interrupt() -> None:
    """Make SIGTERM unwind like Ctrl-C, so every finally-block cleanup runs."""
    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)


def search_path(word: str, page_size: int = 20) -> str:
    """Return the gateway path of a product search for `word`."""
    return "/api/products?" + urlencode({"q": word, "page_size": page_size})


def fetch(port: int, path: str, timeout: float = 30.0,
          headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """GET path on a fresh connection to 127.0.0.1:port; return (status, body)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def check_search(status: int, body: bytes, word: str) -> None:
    """Raise AssertionError unless body is a non-empty search result that mentions `word`."""
    assert status == 200, f"search {word!r}: HTTP {status}: {body[:200]!r}"
    page = json.loads(body)
    assert page["total"] > 0 and page["items"], f"search {word!r}: no results"
    stem = word.split()[0][:5].lower()  # full text matches stems: 'cancelling' ~ 'cancel'
    assert any(stem in (i["name"] + " " + i["description"]).lower() for i in page["items"]), \
        f"search {word!r}: no item mentions it"


RESULTS = Path(os.environ.get("BENCH_RESULTS", REPO / ".data" / "bench"))


def record(bench: str, rows: Sequence[dict[str, Any]]) -> Path:
    """Write a bench's summary rows to .data/bench/<bench>.json, for bench/summary.py.

    Each row: figure, value, unit, floor (what it is compared with), floor_value, ratio,
    target (text, e.g. "<= 1.5x"), met (bool; None for a figure reported without a target).
    """
    import time

    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{bench}.json"
    path.write_text(json.dumps({"bench": bench, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                "load": os.getloadavg(), "rows": list(rows)}, indent=1) + "\n")
    return path


def percentile(values: Sequence[float], p: float) -> float:
    """Return the p-th percentile (0-100) of values, linearly interpolated; nan when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], left: int = 1) -> str:
    """Return rows as a plain text table: the first `left` columns left-aligned, the rest right."""
    cells = [list(map(str, headers))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))

    out = [line(cells[0]), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells[1:]]
    return "\n".join(out)
