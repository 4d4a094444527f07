"""Standard 5-field cron, read the way Knative's ping adapter (robfig/cron v3) reads it.

Fields: minute hour day-of-month month day-of-week, each `*`, `?`, `N`, `N-M`, with `/step`
and comma lists; month and weekday names (`jan`, `mon`); `N/step` means `N-max/step`; the
descriptors `@yearly` ... `@hourly`; an optional `CRON_TZ=Zone ` prefix. When both day fields
are restricted, a day matches either one (robfig's and Vixie cron's rule); `*/2` counts as
restricted. Day-of-week is 0..6 with Sunday 0, as robfig has it.
"""

from __future__ import annotations

from datetime import datetime

_FIELDS = (  # name, low, high, names
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")),
    ("day of week", 0, 6, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)
DESCRIPTORS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
               "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
               "@hourly": "0 * * * *"}


class Cron:
    """A parsed schedule; `matches(moment)` takes a time already in the schedule's zone."""

    def __init__(self, expression: str) -> None:
        text = expression.strip()
        self.timezone: str | None = None
        for prefix in ("CRON_TZ=", "TZ="):
            if text.startswith(prefix):
                self.timezone, _, text = text[len(prefix):].partition(" ")
                text = text.strip()
        text = DESCRIPTORS.get(text, text)
        parts = text.split()
        if len(parts) != 5:
            raise ValueError(f"cron {expression!r} has {len(parts)} fields, not 5 "
                             "(minute hour day-of-month month day-of-week)")
        parsed = [_field(p, *spec) for p, spec in zip(parts, _FIELDS)]
        (self.minutes, _), (self.hours, _), (self.days, self.any_day), (self.months, _), \
            (self.weekdays, self.any_weekday) = parsed
        self.expression = expression

    def matches(self, moment: datetime) -> bool:
        """Return whether the schedule fires in the minute of `moment`."""
        if moment.minute not in self.minutes or moment.hour not in self.hours \
                or moment.month not in self.months:
            return False
        day = moment.day in self.days
        weekday = moment.isoweekday() % 7 in self.weekdays
        if self.any_day or self.any_weekday:
            return day and weekday
        return day or weekday

    def __repr__(self) -> str:
        return f"Cron({self.expression!r})"


def _field(text: str, name: str, low: int, high: int, names: tuple[str, ...]) -> tuple[frozenset[int], bool]:
    """Return the values a field allows and whether it is unrestricted (`*` or `?` without step)."""
    values: set[int] = set()
    star = False
    for item in text.split(","):
        base, slash, step_text = item.partition("/")
        if slash and not (step_text.isdigit() and int(step_text) > 0):
            raise ValueError(f"cron {name}: bad step in {item!r}")
        step = int(step_text) if slash else 1
        if base in ("*", "?"):
            start, end = low, high
            star = star or step == 1
        else:
            bounds = [_value(b, name, low, high, names) for b in base.split("-")]
            if len(bounds) > 2 or bounds[0] > bounds[-1]:
                raise ValueError(f"cron {name}: bad range {item!r}")
            start, end = bounds[0], (high if slash and len(bounds) == 1 else bounds[-1])
        values.update(range(start, end + 1, step))
    return frozenset(values), star


def _value(text: str, name: str, low: int, high: int, names: tuple[str, ...]) -> int:
    if text.lower() in names:
        return low + names.index(text.lower())
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValueError(f"cron {name}: {text!r} is not in {low}..{high}")
    return int(text)
