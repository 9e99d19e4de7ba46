"""Admins see counts by category and attendance rates, never over fewer than 5 people."""

from django.urls import reverse

from conftest import make_user
from peergroups.groups.services import membership_add
from peergroups.meetings import services
from peergroups.meetings.models import AttendanceStatus
from peergroups.organizations.models import Role
from peergroups.organizations.services import role_grant

from .conftest import issue_for


def grow_group(cast, to: int) -> list:
    members = [cast.member, cast.member2]
    for i in range(to - len(members)):
        user = make_user(f"extra{i}@acme.test", f"Extra {i}")
        role_grant(organization=cast.organization, user=user, role=Role.MEMBER, acting_user=None)
        membership_add(group=cast.group, user=user, acting_user=None)
        members.append(user)
    cast.group.refresh_from_db()
    return members


def record(cast, meeting, members):
    issue_for(cast, category="finance")
    issue_for(cast, category="finance")
    issue_for(cast, category="hiring")
    statuses = {m.pk: AttendanceStatus.PRESENT for m in members}
    statuses[members[0].pk] = AttendanceStatus.ABSENT
    services.attendance_record(meeting=meeting, statuses=statuses, acting_user=cast.facilitator)


def test_program_under_five_people_shows_no_figures(client, scheduled, meeting):
    record(scheduled, meeting, [scheduled.member, scheduled.member2])
    client.force_login(scheduled.admin)
    response = client.get(reverse("meetings-insights", args=["acme"]))
    assert response.status_code == 200
    program = response.context["programs"][0]
    assert program["people"] == 3  # Group A's two and Group B's one
    assert not program["shown"]
    assert program["attendance_rate"] is None and program["categories"] == []
    assert "Fewer than 5 people" in response.text


def test_program_of_five_shows_categories_and_attendance(client, scheduled, meeting):
    members = grow_group(scheduled, 5)
    record(scheduled, meeting, members)
    client.force_login(scheduled.admin)
    response = client.get(reverse("meetings-insights", args=["acme"]))
    program = response.context["programs"][0]
    assert program["shown"]
    assert dict(program["categories"])["Finance"] == 2
    assert dict(program["categories"])["Hiring"] == 1
    assert program["attendance_rate"] == 80  # 4 of 5
    by_group = {g["group"].name: g["attendance_rate"] for g in program["groups"]}
    # Group A has five members: shown. Group B has one: hidden even inside a shown program.
    assert by_group == {"Group A": 80, "Group B": None}
    assert "fewer than 5 members, not shown" in response.text
    assert "Whether to promote" not in response.text  # titles never


def test_only_admins_open_insights(client, cast):
    for user in (cast.member, cast.facilitator):
        client.force_login(user)
        assert client.get(reverse("meetings-insights", args=["acme"])).status_code == 403
