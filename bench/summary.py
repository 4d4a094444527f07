"""One table of every bench's figures: the figure, its floor, the ratio, the target, met or not.

Each bench writes its rows to .data/bench/<bench>.json (`_common.record`); this reads them all
(cold_start, catalog, events, and any other bench that records rows) and prints them. A row
whose `met` is null is a figure printed without a target (the Postgres transport's rate).
The exit status is non-zero only when no bench has recorded anything.
"""

from __future__ import annotations

import json
import os
import sys

from _common import RESULTS, table


def _verdict(met: bool | None) -> str:
    """met, MISSED, or "-" for a figure that is reported without a target (met: null)."""
    return "-" if met is None else "met" if met else "MISSED"


def main() -> None:
    files = sorted(RESULTS.glob("*.json"))
    rows = []
    for path in files:
        found = json.loads(path.read_text())
        for row in found.get("rows", []):
            rows.append([found["bench"], row["figure"], f"{row['value']:g} {row.get('unit', '')}".strip(),
                         f"{row['floor_value']:g}" if row.get("floor_value") is not None else "-",
                         f"{row['ratio']:.2f}x" if row.get("ratio") is not None else "-",
                         row["target"], _verdict(row["met"])])
    if not rows:
        print(f"no bench results in {RESULTS}", file=sys.stderr)
        sys.exit(1)
    load = os.getloadavg()
    print(f"\nsummary ({len(files)} benches, {os.cpu_count()} cores, load now {load[0]:.1f} {load[1]:.1f} "
          f"{load[2]:.1f}; floors in {RESULTS}/*.json)")
    print(table(["bench", "figure", "value", "floor", "ratio", "target", ""], rows, left=2))


if __name__ == "__main__":
    main()
