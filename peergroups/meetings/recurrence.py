"""Dates of a recurring meeting: `dateutil.rrule` does the calendar arithmetic.

Pure functions: the rule is kept in local wall-clock time, and each occurrence is
turned into UTC with its own offset, so 08:00 stays 08:00 across daylight saving.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule
from dateutil.relativedelta import relativedelta

WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date | None:
    """The n-th `weekday` (0 = Monday) of the month; n = -1 is the last. None if none."""
    first = datetime(year, month, 1)
    rule = rrule.rrule(rrule.MONTHLY, dtstart=first, byweekday=WEEKDAYS[weekday](n), count=1)
    found = next(iter(rule), None)
    return found.date() if found is not None and found.month == month else None


def _rule(
    *, frequency: str, weekday: int, starts_on: date, week_of_month: int | None, interval: int = 1
) -> rrule.rrule:
    if frequency in {"weekly", "biweekly"}:
        # Start on the first matching day: rrule counts a biweekly interval from the
        # week of dtstart, and "every other Thursday" starts with the first Thursday.
        first = starts_on + timedelta(days=(weekday - starts_on.weekday()) % 7)
        return rrule.rrule(
            rrule.WEEKLY,
            interval=1 if frequency == "weekly" else 2,
            dtstart=datetime.combine(first, time()),
        )
    if frequency == "monthly":
        if week_of_month is None:
            raise ValueError("A monthly rule needs the week of the month")
        # Count the months from the first one whose day falls on or after `starts_on`:
        # a quarterly rule starting late in a month meets next month, not in three.
        first = starts_on.replace(day=1)
        day = nth_weekday(first.year, first.month, weekday, week_of_month)
        if day is None or day < starts_on:
            first = (first + timedelta(days=32)).replace(day=1)
        return rrule.rrule(
            rrule.MONTHLY,
            interval=interval,
            byweekday=WEEKDAYS[weekday](week_of_month),
            dtstart=datetime.combine(first, time()),
        )
    raise ValueError(f"Unknown frequency {frequency!r}")


def occurrence_dates(
    *,
    frequency: str,
    weekday: int,
    starts_on: date,
    week_of_month: int | None = None,
    interval: int = 1,
) -> Iterator[date]:
    """Every date of the rule on or after `starts_on`, forever (take what you need).

    `interval` is the months between meetings of a monthly rule (3: quarterly).
    """
    rule = _rule(
        frequency=frequency,
        weekday=weekday,
        starts_on=starts_on,
        week_of_month=week_of_month,
        interval=interval,
    )
    regular = (moment.date() for moment in rule)
    first = next(regular)
    # The first meeting falls in the first period of the cadence. "Second Friday" from
    # Monday 11 January is 12 February, past the first month (11 January to 10 February):
    # the group meets first on the slot's weekday in that month (Friday 15 January).
    if first > first_period_end(frequency=frequency, starts_on=starts_on, interval=interval):
        yield starts_on + timedelta(days=(weekday - starts_on.weekday()) % 7)
    yield first
    yield from regular


def first_period_end(*, frequency: str, starts_on: date, interval: int = 1) -> date:
    """The last day of the cadence's first period from `starts_on` (a week, two weeks, or
    `interval` months: 11 January to 10 February for a monthly one)."""
    if frequency == "weekly":
        return starts_on + timedelta(days=6)
    if frequency == "biweekly":
        return starts_on + timedelta(days=13)
    return starts_on + relativedelta(months=interval) - timedelta(days=1)


def local_to_utc(day: date, at: time, time_zone: str) -> datetime:
    """The UTC instant of a wall-clock time in `time_zone` on `day`.

    A time that falls in a spring-forward gap is read with the offset before the
    switch (zoneinfo's fold=0), which moves it an hour later, as calendar apps do.
    """
    return datetime.combine(day, at, tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


def occurrences(
    *,
    frequency: str,
    weekday: int,
    starts_on: date,
    start_time: time,
    end_time: time,
    time_zone: str,
    week_of_month: int | None = None,
    interval: int = 1,
    after: datetime | None = None,
    count: int,
) -> list[tuple[datetime, datetime]]:
    """The next `count` (start, end) UTC pairs of the rule that start after `after`."""
    result: list[tuple[datetime, datetime]] = []
    if count <= 0:
        return result
    for day in occurrence_dates(
        frequency=frequency,
        weekday=weekday,
        starts_on=starts_on,
        week_of_month=week_of_month,
        interval=interval,
    ):
        start = local_to_utc(day, start_time, time_zone)
        if after is not None and start <= after:
            continue
        result.append((start, local_to_utc(day, end_time, time_zone)))
        if len(result) == count:
            return result
    return result
