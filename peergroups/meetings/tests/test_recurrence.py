"""Recurrence rules and their occurrences, including a daylight-saving switch."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from django.urls import reverse

from peergroups.meetings.models import HORIZON, Meeting
from peergroups.meetings.recurrence import nth_weekday, occurrences
from peergroups.people.models import MemberProfile

NEW_YORK = ZoneInfo("America/New_York")


def test_nth_weekday_finds_second_tuesday_and_last_friday():
    assert nth_weekday(2027, 3, 1, 2) == date(2027, 3, 9)
    assert nth_weekday(2027, 4, 4, -1) == date(2027, 4, 30)
    assert nth_weekday(2027, 2, 0, 5) is None  # February 2027 has four Mondays


def test_monthly_rule_gives_second_tuesdays():
    starts = [
        start.astimezone(NEW_YORK).date()
        for start, _ in occurrences(
            frequency="monthly",
            weekday=1,
            week_of_month=2,
            starts_on=date(2027, 1, 1),
            start_time=time(8),
            end_time=time(12),
            time_zone="America/New_York",
            count=4,
        )
    ]
    assert starts == [date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9), date(2027, 4, 13)]


def test_weekly_series_keeps_local_time_across_spring_forward():
    # New York switches to daylight time on Sunday 14 March 2027.
    pairs = occurrences(
        frequency="weekly",
        weekday=1,
        starts_on=date(2027, 3, 1),
        start_time=time(8),
        end_time=time(12),
        time_zone="America/New_York",
        count=3,
    )
    assert [start.astimezone(NEW_YORK).hour for start, _ in pairs] == [8, 8, 8]
    assert [start.date() for start, _ in pairs] == [
        date(2027, 3, 2),
        date(2027, 3, 9),
        date(2027, 3, 16),
    ]
    assert [start.astimezone(UTC).hour for start, _ in pairs] == [13, 13, 12]
    assert [end.astimezone(NEW_YORK).hour for _, end in pairs] == [12, 12, 12]


def test_quarterly_rule_counts_three_months_from_the_first_month_it_can_meet():
    def quarterly(starts_on):
        return [
            start.astimezone(ZoneInfo("Europe/Berlin"))
            for start, _ in occurrences(
                frequency="monthly",
                interval=3,
                weekday=1,
                week_of_month=2,
                starts_on=starts_on,
                start_time=time(9),
                end_time=time(12),
                time_zone="Europe/Berlin",
                count=4,
            )
        ]

    early = quarterly(date(2027, 1, 5))
    assert [s.date() for s in early] == [
        date(2027, 1, 12),
        date(2027, 4, 13),
        date(2027, 7, 13),
        date(2027, 10, 12),
    ]
    # After January's second Tuesday: February's, not April's.
    late = quarterly(date(2027, 1, 13))
    assert [s.date() for s in late] == [
        date(2027, 2, 9),
        date(2027, 5, 11),
        date(2027, 8, 10),
        date(2027, 11, 9),
    ]
    # Berlin is on summer time from 28 March to 31 October 2027: 09:00 stays 09:00.
    assert [s.hour for s in late] == [9, 9, 9, 9]
    assert [s.astimezone(UTC).hour for s in late] == [8, 7, 7, 8]


def test_biweekly_rule_skips_a_week():
    pairs = occurrences(
        frequency="biweekly",
        weekday=3,
        starts_on=date(2027, 1, 1),
        start_time=time(9),
        end_time=time(10),
        time_zone="Europe/Berlin",
        count=3,
    )
    assert [start.date() for start, _ in pairs] == [
        date(2027, 1, 7),
        date(2027, 1, 21),
        date(2027, 2, 4),
    ]


def test_facilitator_sets_schedule_and_occurrences_are_stored(client, accepted, frozen):
    client.force_login(accepted.facilitator)
    response = client.post(
        reverse("meetings-schedule", args=["acme", accepted.group.pk]),
        {
            "frequency": "monthly",
            "week_of_month": "2",
            "weekday": "1",
            "start_time": "08:00",
            "end_time": "12:00",
            "time_zone": "America/New_York",
            "starts_on": "2027-01-01",
            "location": "Acme HQ",
            "video_url": "",
        },
    )
    assert response.status_code == 302
    meetings = list(Meeting.objects.filter(group=accepted.group))
    assert len(meetings) == HORIZON
    assert meetings[0].starts_at == datetime(2027, 1, 12, 13, tzinfo=UTC)
    # After the March switch the same 08:00 local is an hour earlier in UTC.
    assert meetings[3].starts_at == datetime(2027, 4, 13, 12, tzinfo=UTC)
    assert all(m.starts_at.astimezone(NEW_YORK).hour == 8 for m in meetings)
    accepted.group.refresh_from_db()
    assert accepted.group.time_zone == "America/New_York"


def test_schedule_form_with_errors_keeps_the_answers(client, accepted, frozen):
    client.force_login(accepted.facilitator)
    response = client.post(
        reverse("meetings-schedule", args=["acme", accepted.group.pk]),
        {
            "frequency": "monthly",
            "weekday": "1",
            "start_time": "12:00",
            "end_time": "08:00",
            "time_zone": "America/New_York",
            "starts_on": "2027-01-01",
            "location": "Acme HQ",
        },
    )
    assert response.status_code == 422
    assert b"must end after it starts" in response.content
    assert b"which week of the month" in response.content
    assert b'value="Acme HQ"' in response.content
    assert not Meeting.objects.exists()


def test_members_see_times_in_their_own_zone(client, scheduled):
    MemberProfile.objects.filter(user=scheduled.member).update(
        time_zone="Europe/Berlin", completed_at=datetime(2026, 12, 1, tzinfo=UTC)
    )
    url = reverse("meetings-list", args=["acme", scheduled.group.pk])
    client.force_login(scheduled.member)
    assert "Tue 12 Jan 2027, 14:00" in client.get(url).text  # 08:00 New York
    client.force_login(scheduled.member2)  # no intake yet: the group's zone
    assert "Tue 12 Jan 2027, 08:00" in client.get(url).text


def test_series_change_keeps_uids_and_bumps_sequence(scheduled):
    from peergroups.meetings import services

    before = list(Meeting.objects.filter(group=scheduled.group).values_list("uid", flat=True))
    services.meeting_series_set(
        group=scheduled.group,
        acting_user=scheduled.facilitator,
        frequency="monthly",
        weekday=3,
        week_of_month=1,
        starts_on=date(2027, 1, 1),
        start_time=time(9),
        end_time=time(13),
        time_zone="America/New_York",
    )
    after = list(Meeting.objects.filter(group=scheduled.group).order_by("starts_at"))
    assert [m.uid for m in after] == before
    assert all(m.sequence == 1 for m in after)
    assert after[0].starts_at.astimezone(NEW_YORK) == datetime(2027, 1, 7, 9, tzinfo=NEW_YORK)


def test_calendar_page_lists_next_meetings_in_the_members_zone(client, scheduled):
    MemberProfile.objects.filter(user=scheduled.member).update(
        time_zone="Asia/Tokyo", completed_at=datetime(2026, 12, 1, tzinfo=UTC)
    )
    client.force_login(scheduled.member)
    page = client.get(reverse("meetings-calendar", args=["acme"]))
    assert "Tue 12 Jan 2027, 22:00" in page.text  # 08:00 New York
    assert "(Asia/Tokyo)" in page.text


def test_group_page_shows_next_meetings_to_the_group_only(client, scheduled):
    url = reverse("groups-detail", args=["acme", scheduled.group.pk])
    client.force_login(scheduled.member)
    assert "Tue 12 Jan 2027, 08:00" in client.get(url).text
    client.force_login(scheduled.admin)
    page = client.get(url)
    assert page.status_code == 200
    assert "Next meetings" not in page.text
