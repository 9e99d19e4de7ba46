"""A new group's schedule: the program's cadence in the time zone most members share."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from peergroups.meetings.models import HORIZON, Meeting, MeetingSeries
from peergroups.meetings.services import (
    group_schedule_default,
    group_schedules_default_many,
    schedule_proposal,
)
from peergroups.people.models import MemberProfile


@pytest.mark.django_db
def test_schedule_follows_the_majority_time_zone_and_shared_slot(cast):
    MemberProfile.objects.filter(user=cast.member).update(
        time_zone="Europe/Berlin", availability=["wed-pm", "tue-am"]
    )
    MemberProfile.objects.filter(user=cast.member2).update(
        time_zone="Europe/Berlin", availability=["wed-pm"]
    )
    proposal = schedule_proposal(group=cast.group)
    assert proposal["time_zone"] == "Europe/Berlin"
    assert (proposal["weekday"], proposal["start_time"].hour) == (2, 14)
    series = group_schedule_default(group=cast.group)
    assert series.time_zone == "Europe/Berlin" and series.frequency == "monthly"


@pytest.mark.django_db
def test_quarterly_programs_get_a_schedule_every_three_months_across_dst(cast):
    cast.program.meeting_cadence = "quarterly"
    cast.program.save()
    MemberProfile.objects.filter(user__in=[cast.member, cast.member2]).update(
        time_zone="Europe/Berlin", availability=["tue-am"]
    )
    with time_machine.travel(datetime(2027, 1, 1, 12, tzinfo=UTC), tick=False):
        proposal = schedule_proposal(group=cast.group)
        assert (proposal["frequency"], proposal["interval"]) == ("monthly", 3)
        series = group_schedule_default(group=cast.group)
    assert series.describe() == "Quarterly, second Tuesday, 09:00–12:00 (Europe/Berlin)"
    meetings = list(Meeting.objects.filter(series=series).order_by("starts_at"))
    assert len(meetings) == HORIZON
    berlin = ZoneInfo("Europe/Berlin")
    # First meeting 14 days out or later: the second Tuesday of January has passed.
    assert [m.starts_at.astimezone(berlin).date() for m in meetings[:4]] == [
        date(2027, 2, 9),
        date(2027, 5, 11),
        date(2027, 8, 10),
        date(2027, 11, 9),
    ]
    # 09:00 in Berlin in winter and in summer: the UTC hour moves, the local one does not.
    assert {m.starts_at.astimezone(berlin).hour for m in meetings} == {9}
    assert [m.starts_at.astimezone(UTC).hour for m in meetings[:4]] == [8, 7, 7, 8]


@pytest.mark.django_db
def test_publish_schedules_quarterly_groups_in_bulk_like_monthly_ones(cast):
    cast.program.meeting_cadence = "quarterly"
    cast.program.save()
    with time_machine.travel(datetime(2027, 1, 1, 12, tzinfo=UTC), tick=False):
        created = group_schedules_default_many(
            groups=[cast.group], members={cast.group.pk: [cast.member.pk, cast.member2.pk]}
        )
    series = MeetingSeries.objects.get(group=cast.group)
    assert (series.frequency, series.interval, created) == ("monthly", 3, HORIZON)
    starts = [m.starts_at for m in Meeting.objects.filter(series=series).order_by("starts_at")]
    gaps = {(later - earlier).days for earlier, later in zip(starts, starts[1:], strict=False)}
    assert gaps <= set(range(84, 99))  # three months apart, never one


@pytest.mark.django_db
def test_facilitator_sets_an_interval_only_monthly_series_keep(client, cast):
    client.force_login(cast.facilitator)
    url = reverse("meetings-schedule", args=["acme", cast.group.pk])
    form = {
        "frequency": "monthly",
        "week_of_month": "-1",
        "interval": "3",
        "weekday": "4",
        "start_time": "09:00",
        "end_time": "11:00",
        "time_zone": "America/New_York",
        "starts_on": "2027-03-01",
    }
    assert client.post(url, form).status_code == 302
    series = MeetingSeries.objects.get(group=cast.group)
    assert series.describe() == "Quarterly, last Friday, 09:00–11:00 (America/New_York)"
    assert client.get(url).context["form"].initial["interval"] == 3
    # A weekly series counts weeks: the months' interval does not carry over.
    assert client.post(url, {**form, "frequency": "weekly"}).status_code == 302
    series.refresh_from_db()
    assert (series.frequency, series.interval) == ("weekly", 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingSeries.objects.filter(pk=series.pk).update(interval=3)


@pytest.mark.django_db
def test_schedule_form_starts_from_the_members_time_zone_not_utc(client, cast):
    MemberProfile.objects.filter(user__in=[cast.member, cast.member2]).update(
        time_zone="America/Chicago"
    )
    client.force_login(cast.facilitator)
    response = client.get(reverse("meetings-schedule", args=["acme", cast.group.pk]))
    assert response.context["form"].initial["time_zone"] == "America/Chicago"
