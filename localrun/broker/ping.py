"""PingSources, locally: on each schedule's minute, a `dev.knative.sources.ping` event to the sink.

Like Knative's ping adapter: a new id per tick, `source` `/apis/v1/namespaces/<ns>/pingsources/
<name>`, the spec's data and contentType, `ceOverrides` extensions, and up to 5 retries with
exponential backoff from 50 ms before the tick is given up (logged). Ticks missed while the
machine slept are coalesced: one event per source, for the latest missed minute. The clock is
injectable, so tests drive the scheduler without waiting for minutes to pass.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
import zoneinfo
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone

from localrun.broker.cron import Cron
from localrun.broker.message import BrokerEvent, rfc3339
from localrun.broker.resources import Delivery, PingSource

log = logging.getLogger(__name__)
PING_TYPE = "dev.knative.sources.ping"
PING_DELIVERY = Delivery(retry=5, backoff_policy="exponential", backoff_delay=0.05)
_MAX_CATCH_UP = 24 * 60  # minutes looked back after a long sleep


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def ping_event(source: PingSource, at: datetime) -> BrokerEvent:
    """Return the event a PingSource sends for the tick at `at`."""
    attributes = {"specversion": "1.0", "id": str(uuid.uuid4()), "type": PING_TYPE,
                  "source": source.source, "time": rfc3339(at), **source.extensions}
    if source.data is not None and source.content_type:
        attributes["datacontenttype"] = source.content_type
    return BrokerEvent(attributes, source.data or b"")


class PingScheduler:
    """Calls `fire(source, minute)` for each PingSource whose schedule matches a minute that passed."""

    def __init__(self, sources: Sequence[PingSource], fire: Callable[[PingSource, datetime], None],
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.clock, self.fire = clock, fire
        self.schedules = []
        for source in sources:
            cron = Cron(source.schedule)
            self.schedules.append((source, cron, zoneinfo.ZoneInfo(cron.timezone or source.timezone)))
        self._last = _minute(clock())
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def due(self, after: datetime, until: datetime) -> list[tuple[PingSource, datetime]]:
        """Return each source's latest scheduled minute in (after, until], UTC minutes."""
        found = []
        oldest = max(after, until - timedelta(minutes=_MAX_CATCH_UP))
        for source, cron, zone in self.schedules:
            minute = cron.previous(until.astimezone(zone)).astimezone(timezone.utc)
            if minute > oldest:
                found.append((source, minute))
        return found

    def run_pending(self) -> list[tuple[str, datetime]]:
        """Fire what became due since the last call; return (source name, minute) of each."""
        with self._lock:
            now = _minute(self.clock())
            if now <= self._last:
                return []
            after, self._last = self._last, now
        due = self.due(after, now)
        for source, minute in due:
            if now - after > timedelta(minutes=1):
                log.info("pingsource %s: ticks missed since %s; sending one for %s",
                         source.name, after, minute)
            try:
                self.fire(source, minute)
            except Exception:
                log.exception("pingsource %s: tick %s failed", source.name, minute)
        return [(s.name, m) for s, m in due]

    def start(self) -> None:
        if not self.schedules:
            return
        self._thread = threading.Thread(target=self._loop, name="broker-pings", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        # Wake just after each wall-clock minute starts; the clock decides what is due.
        while not self._stopping.wait(60.05 - time.time() % 60):
            self.run_pending()


def _minute(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("the scheduler's clock must return aware datetimes")
    return moment.astimezone(timezone.utc).replace(second=0, microsecond=0)
