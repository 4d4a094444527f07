"""PingSource schedules: standard 5-field cron, parsed and matched by croniter.

Knative's ping adapter reads schedules with robfig/cron v3's standard parser: five fields
(`*`, `?`, `N`, `N-M`, `/step`, lists, month and weekday names), the `@yearly` ... `@hourly`
descriptors, an optional `CRON_TZ=Zone ` prefix; when both day fields are restricted a day
matches either (`*/2` counts as restricted). croniter reads all of that the same way, and more:
a sixth (seconds) field, `L`, `W`, `#`, `H`, weekday 7 and wrapping ranges such as `5-1`. The
cluster's webhook refuses those, so `Cron` refuses them before croniter parses the rest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from croniter import croniter

DESCRIPTORS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})
_NAMES = {
    "month": ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    "day of week": ("sun", "mon", "tue", "wed", "thu", "fri", "sat"),
}
_FIELDS = ("minute", "hour", "day of month", "month", "day of week")
_STAR = "* * * * *".split()


class Cron:
    """A parsed schedule; `matches(moment)` takes a time already in the schedule's zone."""

    def __init__(self, expression: str) -> None:
        text = expression.strip()
        self.timezone: str | None = None
        for prefix in ("CRON_TZ=", "TZ="):
            if text.startswith(prefix):
                self.timezone, _, text = text[len(prefix):].partition(" ")
                text = text.strip()
        if text not in DESCRIPTORS:
            _refuse_extensions(expression, text)
        if not croniter.is_valid(text):
            raise ValueError(f"cron {expression!r} is not a valid schedule")
        self.text, self.expression = text, expression

    def matches(self, moment: datetime) -> bool:
        """Return whether the schedule fires in the minute of `moment`."""
        minute = moment.replace(second=0, microsecond=0)
        return self.previous(minute) == minute

    def previous(self, moment: datetime) -> datetime:
        """Return the latest minute at or before `moment` at which the schedule fires."""
        start = moment.replace(second=0, microsecond=0) + timedelta(microseconds=1)
        return croniter(self.text, start).get_prev(datetime)

    def __repr__(self) -> str:
        return f"Cron({self.expression!r})"


def _refuse_extensions(expression: str, text: str) -> None:
    """Raise ValueError, naming the field, for what robfig's standard parser would not read."""
    parts = text.split()
    if len(parts) != 5:
        raise ValueError(f"cron {expression!r} has {len(parts)} fields, not 5 "
                         "(minute hour day-of-month month day-of-week)")
    for index, (part, name) in enumerate(zip(parts, _FIELDS)):
        names = _NAMES.get(name, ())
        for item in part.split(","):
            base, slash, step = item.partition("/")
            if slash and not (step.isdigit() and int(step) > 0):
                raise ValueError(f"cron {name}: bad step in {item!r}")
            if base in ("*", "?"):
                continue
            bounds = [_value(b, names) for b in base.split("-")]
            if len(bounds) > 2 or None in bounds or (name == "day of week" and 7 in bounds):
                raise ValueError(f"cron {name}: {item!r} is not a standard cron value")
            if bounds[0] > bounds[-1]:
                raise ValueError(f"cron {name}: bad range {item!r}")
        # croniter checks each value's range; ask it about this field alone, to name the field.
        if not croniter.is_valid(" ".join(_STAR[:index] + [part] + _STAR[index + 1:])):
            raise ValueError(f"cron {name}: {part!r} is out of range")


def _value(text: str, names: tuple[str, ...]) -> int | None:
    if text.isdigit():
        return int(text)
    return names.index(text.lower()) if text.lower() in names else None
