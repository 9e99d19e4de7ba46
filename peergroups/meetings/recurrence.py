"""Dates of a recurring meeting, with the standard library only (no dateutil).

Pure functions: the rule is kept in local wall-clock time, and each occurrence is
turned into UTC with its own offset, so 08:00 stays 08:00 across daylight saving.
"""

import calendar
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date | None:
    """The n-th `weekday` (0 = Monday) of the month; n = -1 is the last. None if none."""
    days_in_month = calendar.monthrange(year, month)[1]
    if n == -1:
        last = date(year, month, days_in_month)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    day = 1 + (weekday - first.weekday()) % 7 + 7 * (n - 1)
    return date(year, month, day) if day <= days_in_month else None


def occurrence_dates(
    *, frequency: str, weekday: int, starts_on: date, week_of_month: int | None = None
) -> Iterator[date]:
    """Every date of the rule on or after `starts_on`, forever (take what you need)."""
    if frequency in {"weekly", "biweekly"}:
        step = timedelta(weeks=1 if frequency == "weekly" else 2)
        day = starts_on + timedelta(days=(weekday - starts_on.weekday()) % 7)
        while True:
            yield day
            day += step
    elif frequency == "monthly":
        if week_of_month is None:
            raise ValueError("A monthly rule needs the week of the month")
        year, month = starts_on.year, starts_on.month
        while True:
            day = nth_weekday(year, month, weekday, week_of_month)
            if day is not None and day >= starts_on:
                yield day
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    else:
        raise ValueError(f"Unknown frequency {frequency!r}")


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
    after: datetime | None = None,
    count: int,
) -> list[tuple[datetime, datetime]]:
    """The next `count` (start, end) UTC pairs of the rule that start after `after`."""
    result: list[tuple[datetime, datetime]] = []
    for day in occurrence_dates(
        frequency=frequency, weekday=weekday, starts_on=starts_on, week_of_month=week_of_month
    ):
        start = local_to_utc(day, start_time, time_zone)
        if after is not None and start <= after:
            continue
        result.append((start, local_to_utc(day, end_time, time_zone)))
        if len(result) == count:
            return result
    return result
