"""PingSource schedules: the cron matcher reads schedules as robfig/cron does; the scheduler fires on time."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from localrun.broker.cron import Cron
from localrun.broker.ping import PING_TYPE, PingScheduler, ping_event
from localrun.broker.resources import Destination, PingSource

UTC = timezone.utc


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def fires(expression: str, *moments: str) -> list[bool]:
    cron = Cron(expression)
    return [cron.matches(at(m)) for m in moments]


class TestCron:
    def test_every_minute(self):
        assert fires("* * * * *", "2026-03-01T00:00", "2026-03-01T13:37") == [True, True]

    def test_lists_ranges_and_steps(self):
        assert fires("*/15 9-17 * * *", "2026-03-02T09:00", "2026-03-02T09:45", "2026-03-02T09:10",
                     "2026-03-02T18:00") == [True, True, False, False]
        assert fires("5,10 0 * * *", "2026-03-02T00:05", "2026-03-02T00:10", "2026-03-02T00:06") == \
            [True, True, False]

    def test_a_start_with_a_step_runs_to_the_end_of_the_range(self):
        assert fires("50/5 * * * *", "2026-03-02T10:50", "2026-03-02T10:55", "2026-03-02T10:05") == \
            [True, True, False]

    def test_names_of_months_and_weekdays(self):
        # 2026-03-02 is a Monday.
        assert fires("0 8 * mar mon-fri", "2026-03-02T08:00", "2026-03-01T08:00", "2026-04-06T08:00") == \
            [True, False, False]

    def test_sunday_is_zero(self):
        assert fires("0 0 * * 0", "2026-03-01T00:00", "2026-03-02T00:00") == [True, False]

    def test_restricted_day_fields_match_either_day(self):
        # The 13th, or any Friday (2026-03-06 is a Friday, 2026-03-13 too, 2026-03-10 a Tuesday).
        assert fires("0 0 13 * 5", "2026-03-06T00:00", "2026-02-13T00:00", "2026-03-10T00:00") == \
            [True, True, False]

    def test_a_star_day_field_makes_the_other_one_decide(self):
        assert fires("0 0 13 * *", "2026-03-13T00:00", "2026-03-06T00:00") == [True, False]
        assert fires("0 0 * * 5", "2026-03-06T00:00", "2026-03-13T00:00", "2026-03-10T00:00") == \
            [True, True, False]

    def test_a_stepped_star_counts_as_restricted(self):
        # dom */2 (odd days) OR Monday: 2026-03-02 is a Monday, 2026-03-03 odd, 2026-03-04 neither.
        assert fires("0 0 */2 * 1", "2026-03-02T00:00", "2026-03-03T00:00", "2026-03-04T00:00") == \
            [True, True, False]

    def test_descriptors(self):
        assert fires("@hourly", "2026-03-02T10:00", "2026-03-02T10:01") == [True, False]
        assert fires("@daily", "2026-03-02T00:00", "2026-03-02T01:00") == [True, False]

    def test_a_cron_tz_prefix_names_the_zone(self):
        assert Cron("CRON_TZ=Europe/Paris 0 9 * * *").timezone == "Europe/Paris"

    @pytest.mark.parametrize("expression", [
        "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *",
        "* * * * 7", "*/0 * * * *", "5-1 * * * *", "* * * foo *", "@every 1m", "",
    ])
    def test_bad_schedules_are_refused(self, expression):
        with pytest.raises(ValueError):
            Cron(expression)


def source(schedule: str, name: str = "tick", timezone_: str = "UTC") -> PingSource:
    return PingSource(name, "shop", schedule, timezone_, "application/json", b'{"n": 1}',
                      Destination("function", "fn", "shop"), {"origin": "test"})


class FakeClock:
    def __init__(self, start: str) -> None:
        self.now = at(start)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class TestPingScheduler:
    def scheduler(self, clock: FakeClock, *sources: PingSource):
        fired: list[tuple[str, datetime]] = []
        return PingScheduler(sources, lambda s, m: fired.append((s.name, m)), clock), fired

    def test_a_source_fires_once_at_each_scheduled_minute(self):
        clock = FakeClock("2026-03-02T10:00:30")
        scheduler, fired = self.scheduler(clock, source("* * * * *"))
        assert scheduler.run_pending() == []  # the minute it started in has begun already
        clock.advance(seconds=29)
        assert scheduler.run_pending() == []
        clock.advance(seconds=1)
        scheduler.run_pending()
        scheduler.run_pending()
        assert fired == [("tick", at("2026-03-02T10:01"))]

    def test_only_matching_minutes_fire(self):
        clock = FakeClock("2026-03-02T10:00:00")
        scheduler, fired = self.scheduler(clock, source("*/5 * * * *"), source("7 * * * *", "seven"))
        for _ in range(10):
            clock.advance(minutes=1)
            scheduler.run_pending()
        assert fired == [("tick", at("2026-03-02T10:05")), ("seven", at("2026-03-02T10:07")),
                         ("tick", at("2026-03-02T10:10"))]

    def test_missed_ticks_are_coalesced_into_the_latest(self):
        clock = FakeClock("2026-03-02T10:00:00")
        scheduler, fired = self.scheduler(clock, source("*/5 * * * *"))
        clock.advance(minutes=17)  # the machine slept
        scheduler.run_pending()
        assert fired == [("tick", at("2026-03-02T10:15"))]

    def test_the_schedule_is_read_in_the_sources_timezone(self):
        clock = FakeClock("2026-03-02T07:59:00")  # 08:59 in Paris (UTC+1 in March before DST)
        scheduler, fired = self.scheduler(clock, source("0 9 * * *", timezone_="Europe/Paris"))
        clock.advance(minutes=1)
        scheduler.run_pending()
        assert fired == [("tick", at("2026-03-02T08:00"))]

    def test_the_clock_must_be_aware(self):
        with pytest.raises(ValueError):
            PingScheduler([], lambda s, m: None, lambda: datetime(2026, 1, 1))


class TestPingEvents:
    def test_a_ping_event_is_what_knatives_ping_adapter_sends(self):
        event = ping_event(source("* * * * *"), at("2026-03-02T10:01"))
        a = event.attributes
        assert a["type"] == PING_TYPE == "dev.knative.sources.ping"
        assert a["source"] == "/apis/v1/namespaces/shop/pingsources/tick"
        assert a["time"].startswith("2026-03-02T10:01:00") and a["specversion"] == "1.0"
        assert a["datacontenttype"] == "application/json" and a["origin"] == "test"
        assert json.loads(event.data) == {"n": 1}

    def test_each_tick_has_its_own_id(self):
        s = source("* * * * *")
        assert ping_event(s, at("2026-03-02T10:01")).id != ping_event(s, at("2026-03-02T10:01")).id
