"""A new group's schedule: the program's cadence in the time zone most members share."""

import pytest
from django.urls import reverse

from peergroups.meetings.services import group_schedule_default, schedule_proposal
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
def test_quarterly_programs_leave_scheduling_to_the_facilitator(cast):
    cast.program.meeting_cadence = "quarterly"
    cast.program.save()
    assert schedule_proposal(group=cast.group) is None
    assert group_schedule_default(group=cast.group) is None


@pytest.mark.django_db
def test_schedule_form_starts_from_the_members_time_zone_not_utc(client, cast):
    MemberProfile.objects.filter(user__in=[cast.member, cast.member2]).update(
        time_zone="America/Chicago"
    )
    client.force_login(cast.facilitator)
    response = client.get(reverse("meetings-schedule", args=["acme", cast.group.pk]))
    assert response.context["form"].initial["time_zone"] == "America/Chicago"
