"""make rebuild-reports: empty the sales projection (schema reporting) and replay every domain's
sent outbox rows into it through the projection's own use cases (functions/reporting/rebuild.py)."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    from functions.reporting.rebuild import rebuild

    parser = argparse.ArgumentParser(prog="python -m localrun.rebuild_reports", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or None,
                        help="the migration role's URL (default: make dev's database)")
    args = parser.parse_args(argv)
    from localrun.dev.stack import database

    with database(args.database_url) as url:
        done = rebuild(url)
    for event_type, count in sorted(done.replayed.items()):
        print(f"  {count:>8}  {event_type}")
    print(f"make rebuild-reports: replayed {done.total()} events"
          + (f", skipped {done.skipped} breaking their contract" if done.skipped else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
