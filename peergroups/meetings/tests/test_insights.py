"""Admins see counts by category and attendance rates by program, never over fewer than
5 people; and each group's attendance counts, the operations board's (issue 22)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from conftest import make_member, make_user
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
    for author in members:  # five authors of finance issues, one of a hiring issue
        issue_for(cast, author=author, category="finance")
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
    assert program["people"] is None  # 3 people: fewer than 5, not even their count
    assert not program["shown"]
    assert program["attendance_rate"] is None and program["categories"] == []
    assert "Fewer than 5 people" in response.text


def after(meeting, frozen) -> None:
    """The clock past the meeting: attendance counts are of meetings held."""
    frozen.move_to(meeting.ends_at + timedelta(days=1))


def test_program_of_five_shows_categories_and_attendance(client, scheduled, meeting, frozen):
    members = grow_group(scheduled, 5)
    record(scheduled, meeting, members)
    after(meeting, frozen)
    client.force_login(scheduled.admin)
    response = client.get(reverse("meetings-insights", args=["acme"]))
    program = response.context["programs"][0]
    assert program["shown"]
    categories = dict(program["categories"])
    assert categories["Finance"].value == len(members)
    # One author: a count over fewer than 5 people is not shown.
    assert not categories["Hiring"].shown and categories["Hiring"].value is None
    assert program["attendance_rate"] == 80  # 4 of 5
    by_group = {g["group"].name: g["attendance"] for g in program["groups"]}
    # Group A's meeting: 4 present. Group B recorded no attendance: nothing to show.
    assert by_group == {"Group A": [4], "Group B": []}
    assert "not shown (fewer than 5 people)" in response.text  # the hiring count
    assert "Whether to promote" not in response.text  # titles never


def test_only_admins_open_insights(client, cast):
    for user in (cast.member, cast.facilitator):
        client.force_login(user)
        assert client.get(reverse("meetings-insights", args=["acme"])).status_code == 403


def test_the_same_three_people_in_two_cycles_are_three_people_not_six(client, cast):
    """Issue 10, item 4: insights counted memberships, so 3 people in 2 cycles made 6."""
    from peergroups.groups.services import group_create

    cycle_2 = group_create(program=cast.program, name="Group A2", acting_user=cast.admin)
    cycle_2.cycle = 2
    cycle_2.save(update_fields=["cycle"])
    for user in (cast.member, cast.member2, cast.other_member):
        membership_add(group=cycle_2, user=user, acting_user=cast.admin)
    client.force_login(cast.admin)
    program = client.get(reverse("meetings-insights", args=["acme"])).context["programs"][0]
    assert not program["shown"]
    assert program["people"] is None  # 3 distinct people: not even their count is shown


def test_a_small_groups_attendance_counts_are_shown_and_the_boards(
    client, scheduled, meeting, frozen
):
    """Issue 22: what admins see per group is one rule. Group B (2 people) shows its
    counts on the insights as on the operations board; the program's rate stays an
    aggregate over its distinct people."""
    from peergroups.meetings.models import Attendance

    members = grow_group(scheduled, 6)
    services.attendance_record(
        meeting=meeting,
        statuses={m.pk: AttendanceStatus.PRESENT for m in members},
        acting_user=scheduled.facilitator,
    )
    b_meeting = meeting.__class__.objects.create(
        group=scheduled.other_group, starts_at=meeting.starts_at, ends_at=meeting.ends_at
    )
    extra = make_member(scheduled.organization, "b2@acme.test", "Bea Member")
    membership_add(group=scheduled.other_group, user=extra, acting_user=None)
    Attendance.objects.create(
        meeting=b_meeting, member=scheduled.other_member, status=AttendanceStatus.PRESENT
    )
    Attendance.objects.create(meeting=b_meeting, member=extra, status=AttendanceStatus.ABSENT)
    after(meeting, frozen)
    client.force_login(scheduled.admin)
    response = client.get(reverse("meetings-insights", args=["acme"]))
    program = response.context["programs"][0]
    assert program["attendance_rate"] == 88  # 7 of 8 people's records
    insights = {g["group"].name: g["attendance"] for g in program["groups"]}
    assert insights == {"Group A": [6], "Group B": [1]}

    board = client.get(reverse("dashboards-board", args=["acme"]))
    on_board = {row.group.name: row.attendance for row in board.context["board"].rows}
    assert on_board == insights
    assert "Group B: 1<" in response.text.replace("</li>", "<")


def test_insights_list_groups_in_natural_name_order(client, scheduled, meeting):
    """ "Group 5" before "Group 10", as on the operations board (one sort for both)."""
    from peergroups.groups.services import group_create

    grow_group(scheduled, 5)
    for name in ("Group 10", "Group 5", "Group 1"):
        group_create(program=scheduled.program, name=name, acting_user=scheduled.admin)
    client.force_login(scheduled.admin)
    response = client.get(reverse("meetings-insights", args=["acme"]))
    names = [g["group"].name for g in response.context["programs"][0]["groups"]]
    assert names == ["Group 1", "Group 5", "Group 10", "Group A", "Group B"]
    page = response.text
    assert page.index("Group 5") < page.index("Group 10")


def test_many_groups_are_shown_first_then_paged_per_program(
    client, scheduled, meeting, settings, frozen
):
    """An organization of 1,200 groups made a 40 KB page: the overview writes each
    program's first groups and links to all of them, paged, with the same figures."""
    from peergroups.groups.services import group_create
    from peergroups.meetings import views

    for i in range(views.INSIGHT_GROUPS_SHOWN + 3):
        group_create(program=scheduled.program, name=f"Extra group {i}", acting_user=None)
    members = grow_group(scheduled, 5)
    record(scheduled, meeting, members)
    after(meeting, frozen)
    client.force_login(scheduled.admin)
    url = reverse("meetings-insights", args=["acme"])

    overview = client.get(url)
    row = overview.context["programs"][0]
    assert len(row["groups"]) == views.INSIGHT_GROUPS_SHOWN < row["group_total"]
    assert f"?program={scheduled.program.pk}" in overview.text

    paged = client.get(url, {"program": scheduled.program.pk})
    row = paged.context["programs"][0]
    assert len(row["groups"]) == row["group_total"]  # under one page of 50
    assert {g["group"].name: g["attendance"] for g in row["groups"]}["Group A"] == [4]
    assert client.get(url, {"program": 999_999}).status_code == 404
    assert client.get(url, {"program": "x"}).status_code == 200  # not a number: the overview


def _attendance_counts_reference(*, group_ids, now, last=3):
    """The rule record by record: each group's meetings held (attendance recorded, not
    cancelled, within a year), by time then by people present, the last `last`."""
    from peergroups.meetings.models import Attendance, MeetingStatus
    from peergroups.meetings.selectors import ATTENDANCE_WINDOW

    held: dict[int, dict] = {group_id: {} for group_id in group_ids}
    for record in Attendance.objects.select_related("meeting"):
        meeting = record.meeting
        if (
            meeting.group_id not in held
            or meeting.status == MeetingStatus.CANCELLED
            or not now - ATTENDANCE_WINDOW <= meeting.starts_at <= now
        ):
            continue
        entry = held[meeting.group_id].setdefault(meeting.pk, [meeting.starts_at, 0])
        entry[1] += record.status == AttendanceStatus.PRESENT
    return {
        group_id: [present for _, present in sorted(meetings.values())][-last:]
        for group_id, meetings in held.items()
    }


@pytest.mark.parametrize("seed", range(6))
def test_attendance_counts_equal_the_record_by_record_rule(scheduled, seed):
    """Random meetings (same-time ties, cancelled ones, some a year and more ago, some
    without attendance) give each group's counts as the rule read record by record."""
    import random

    from django.utils import timezone

    from peergroups.meetings.models import Attendance, Meeting, MeetingStatus
    from peergroups.meetings.selectors import group_attendance_counts

    rng = random.Random(seed)
    people = grow_group(scheduled, 6)
    now = timezone.now()
    groups = [scheduled.group, scheduled.other_group]
    times = [now - timedelta(days=rng.choice([1, 2, 2, 40, 200, 364, 366, 400])) for _ in range(6)]
    for group in groups:
        for _ in range(rng.randint(0, 8)):
            starts = rng.choice(times) + (timedelta(days=5) if rng.random() < 0.1 else timedelta())
            meeting = Meeting.objects.create(
                group=group,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                status=rng.choice([MeetingStatus.SCHEDULED] * 4 + [MeetingStatus.CANCELLED]),
            )
            for person in rng.sample(people, rng.randint(0, len(people))):
                Attendance.objects.create(
                    meeting=meeting,
                    member=person,
                    status=rng.choice([AttendanceStatus.PRESENT, AttendanceStatus.ABSENT]),
                )
    group_ids = [group.pk for group in groups]
    for last in (1, 3):
        expected = _attendance_counts_reference(group_ids=group_ids, now=now, last=last)
        assert group_attendance_counts(group_ids=group_ids, now=now, last=last) == expected
