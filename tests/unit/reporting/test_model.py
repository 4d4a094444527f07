"""The report's rules: ranges widened to whole UTC buckets, their limits, the conversion rate."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from functions.reporting import model
from functions.runtime.exceptions import InvalidInput

UTC = timezone.utc


def test_a_range_is_widened_to_whole_buckets_in_utc():
    start = datetime(2031, 1, 1, 10, 30, tzinfo=timezone(timedelta(hours=2)))  # 08:30 UTC
    first, last = model.report_range(start, start + timedelta(hours=2), "hour", datetime.now(UTC))
    assert (first, last) == (datetime(2031, 1, 1, 8, tzinfo=UTC), datetime(2031, 1, 1, 11, tzinfo=UTC))
    assert len(model.buckets(first, last, "hour")) == 3
    first, last = model.report_range(start, start + timedelta(hours=2), "day", datetime.now(UTC))
    assert (first, last) == (datetime(2031, 1, 1, tzinfo=UTC), datetime(2031, 1, 2, tzinfo=UTC))


def test_defaults_are_a_day_of_hours_or_thirty_days_before_now():
    now = datetime(2031, 5, 5, 12, 0, tzinfo=UTC)
    assert model.report_range(None, None, "hour", now) == (now - timedelta(hours=24), now)
    assert model.report_range(None, None, "day", now) == (datetime(2031, 4, 5, tzinfo=UTC), datetime(2031, 5, 6, tzinfo=UTC))


@pytest.mark.parametrize(("span", "bucket", "field"), [
    (timedelta(0), "hour", "to"), (-timedelta(hours=1), "day", "to"),
    (timedelta(hours=745), "hour", "from"), (timedelta(days=367), "day", "from")])
def test_empty_or_too_long_ranges_are_refused_naming_the_field(span, bucket, field):
    start = datetime(2031, 1, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput) as refused:
        model.report_range(start, start + span, bucket, start)
    assert [e.field for e in refused.value.errors] == [field]


def test_the_conversion_rate():
    assert model.conversion_rate(0, 0) is None
    assert model.conversion_rate(3, 2) == 0.6667
    assert model.conversion_rate(4, 4) == 1.0
