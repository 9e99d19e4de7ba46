"""The first meeting falls in the first period of the cadence, whatever the start day,
week of the month, interval or daylight-saving change."""

from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import pytest

from peergroups.meetings import services
from peergroups.meetings.models import Meeting
from peergroups.meetings.recurrence import first_period_end, occurrence_dates


def first_dates(count=3, **rule):
    return list(islice(occurrence_dates(**rule), count))


def test_a_monthly_second_friday_from_monday_11_january_first_meets_on_friday_15_january():
    dates = first_dates(
        frequency="monthly", weekday=4, week_of_month=2, starts_on=date(2027, 1, 11)
    )
    # The second Friday of January (the 8th) is before the start; the 12th of February
    # is past the first month (11 January to 10 February).
    assert dates == [date(2027, 1, 15), date(2027, 2, 12), date(2027, 3, 12)]


RULES = [("weekly", 1, None), ("biweekly", 1, None)] + [
    ("monthly", interval, week) for interval in (1, 2, 3, 6) for week in (1, 2, 3, 4, -1)
]


@pytest.mark.parametrize(("frequency", "interval", "week_of_month"), RULES)
def test_the_first_meeting_is_in_the_first_period_for_every_start_day_of_a_year(
    frequency, interval, week_of_month
):
    for offset in range(366):
        starts_on = date(2027, 1, 1) + timedelta(days=offset)
        for weekday in range(5):
            rule = dict(
                frequency=frequency, weekday=weekday, starts_on=starts_on, interval=interval
            )
            if frequency == "monthly":
                rule["week_of_month"] = week_of_month
            first, second, third = first_dates(**rule)
            end = first_period_end(frequency=frequency, starts_on=starts_on, interval=interval)
            assert starts_on <= first <= end, (rule, first, end)
            assert first.weekday() == weekday
            assert first < second < third
            if frequency == "monthly":
                # After the first, the rule's own days: the nth weekday, `interval` apart.
                assert (third.year * 12 + third.month) - (second.year * 12 + second.month) == (
                    interval
                )


def test_across_a_daylight_saving_change_the_first_meeting_keeps_its_period_and_local_time(
    cast, time_machine
):
    time_machine.move_to(datetime(2027, 3, 1, 12, tzinfo=UTC))
    # From Thursday 11 March 2027, the second Wednesday: 10 March is before the start and
    # 14 April past the first month, so the group first meets on Wednesday 17 March (CET);
    # Berlin moves its clocks on Sunday 28 March, and 09:00 stays 09:00.
    services.meeting_series_set(
        group=cast.group,
        acting_user=cast.facilitator,
        frequency="monthly",
        weekday=2,
        week_of_month=2,
        starts_on=date(2027, 3, 11),
        start_time=time(9),
        end_time=time(12),
        time_zone="Europe/Berlin",
    )
    first, second, third = Meeting.objects.filter(group=cast.group).order_by("starts_at")[:3]
    assert first.starts_at == datetime(2027, 3, 17, 8, tzinfo=UTC)  # 09:00 CET
    assert second.starts_at == datetime(2027, 4, 14, 7, tzinfo=UTC)  # 09:00 CEST
    assert third.starts_at == datetime(2027, 5, 12, 7, tzinfo=UTC)
    berlin = ZoneInfo("Europe/Berlin")
    assert {m.starts_at.astimezone(berlin).time() for m in (first, second, third)} == {time(9)}
    assert first.starts_at.astimezone(berlin).date() <= first_period_end(
        frequency="monthly", starts_on=date(2027, 3, 11)
    )
