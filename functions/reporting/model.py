"""The report's rules (no I/O): buckets, the time range a report may span, the conversion rate."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Literal

from functions.runtime.exceptions import FieldError, InvalidInput

Bucket = Literal["hour", "day"]
BUCKETS: tuple[str, ...] = ("hour", "day")
STEP = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
DEFAULT_SPAN = {"hour": timedelta(hours=24), "day": timedelta(days=30)}
MAX_BUCKETS = {"hour": 24 * 31, "day": 366}  # a month of hours, a year of days
DEFAULT_TOP, MAX_TOP = 10, 50
DEFAULT_LOW_STOCK, MAX_LOW_STOCK_ROWS = 5, 50
DEAD_LETTER_TYPES, DEAD_LETTER_ROWS = 10, 10  # the report's dead letters: the most common types, the newest


def truncate(at: datetime, bucket: str) -> datetime:
    """The start of the UTC hour or day holding `at`."""
    at = at.astimezone(timezone.utc)
    at = at.replace(minute=0, second=0, microsecond=0)
    return at.replace(hour=0) if bucket == "day" else at


def report_range(start: datetime | None, end: datetime | None, bucket: str, now: datetime,
                 ) -> tuple[datetime, datetime]:
    """Return [from, to) widened to whole buckets: `to` defaults to now, `from` to a day of hours
    or thirty days before `to`. Raise InvalidInput for an empty range or one of too many buckets."""
    end = end or now
    start = start or end - DEFAULT_SPAN[bucket]
    if end <= start:
        raise InvalidInput([FieldError("to", "must be after `from`")])
    first, step = truncate(start, bucket), STEP[bucket]
    last = truncate(end, bucket)
    if last < end:
        last += step
    if (last - first) / step > MAX_BUCKETS[bucket]:
        raise InvalidInput([FieldError("from", f"spans more than {MAX_BUCKETS[bucket]} {bucket}s")])
    return first, last


def buckets(first: datetime, last: datetime, bucket: str) -> list[datetime]:
    """Every bucket's start in [first, last)."""
    step, out, at = STEP[bucket], [], first
    while at < last:
        out.append(at)
        at += step
    return out


def conversion_rate(placed: int, confirmed: int) -> float | None:
    """Confirmed of placed, 0 to 1 (four decimals); None when nothing was placed."""
    return round(confirmed / placed, 4) if placed else None
