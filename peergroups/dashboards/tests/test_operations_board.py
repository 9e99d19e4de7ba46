"""The operations board: flags, counts, sorting, filtering, who sees it, bounded queries."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse

from conftest import make_member, make_user
from peergroups.dashboards.board import board_for_user
from peergroups.formats import natural_key
from peergroups.groups.models import PeerGroup
from peergroups.groups.services import group_create, membership_add
from peergroups.meetings import services as meetings
from peergroups.meetings.models import Attendance, Meeting
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import Role
from peergroups.organizations.services import role_grant
from peergroups.people.models import FacilitatorProfile

NOW = datetime(2027, 6, 15, 12, tzinfo=UTC)


def board_url(cast, **query):
    url = reverse("dashboards-board", kwargs={"org_slug": cast.organization.slug})
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


def schedule(group, facilitator):
    return meetings.meeting_series_set(
        group=group,
        acting_user=facilitator,
        frequency="weekly",
        weekday=1,
        starts_on=date(2027, 6, 1),
        start_time=time(9),
        end_time=time(12),
        time_zone="Europe/Berlin",
    )


def past_meeting(group, when, present=()):
    meeting = Meeting.objects.create(group=group, starts_at=when, ends_at=when + timedelta(hours=3))
    for user in present:
        Attendance.objects.create(meeting=meeting, member=user, status="present")
    return meeting


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.django_db
def test_board_flags_every_group_without_a_schedule(client, cast, clock):
    schedule(cast.group, cast.facilitator)
    client.force_login(cast.admin)
    response = client.get(board_url(cast))
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 group has no schedule" in page
    rows = {row.group.name: row for row in response.context["board"].rows}
    assert "no_schedule" not in rows["Group A"].flags
    assert "no_schedule" in rows["Group B"].flags
    assert rows["Group A"].next_meeting is not None


@pytest.mark.django_db
def test_board_shows_counts_and_never_group_content(client, cast, clock):
    agreement = meetings.agreement_current(group=cast.group)
    meetings.agreement_accept(agreement=agreement, user=cast.member)
    meetings.issue_submit(
        group=cast.group,
        author=cast.member,
        title="Secret restructuring",
        category="hiring",
        situation="Confidential words.",
        ask="Help.",
        urgency=2,
    )
    for weeks, present in ((3, [cast.member, cast.member2]), (2, [cast.member]), (1, [])):
        past_meeting(cast.group, NOW - timedelta(weeks=weeks), present)
    client.force_login(cast.admin)
    response = client.get(board_url(cast))
    page = response.content.decode()
    assert "Secret restructuring" not in page and "Confidential words" not in page
    row = next(row for row in response.context["board"].rows if row.group == cast.group)
    # The meeting nobody attended has no attendance rows: two counts, oldest first.
    assert row.attendance == [2, 1]
    assert row.trend == "down"
    assert row.accepted == 1
    assert row.last_meeting == NOW - timedelta(weeks=1)
    assert "8 open seats" in page


@pytest.mark.django_db
def test_board_flags_a_facilitator_over_capacity(cast, clock):
    FacilitatorProfile.objects.filter(user=cast.facilitator).update(capacity=1)
    group_create(
        program=cast.program, name="Group C", acting_user=cast.admin, facilitator=cast.facilitator
    )
    access = organization_access(cast.admin, "acme")
    board = board_for_user(user=cast.admin, access=access)
    flagged = {row.group.name for row in board.rows if "over_capacity" in row.flags}
    assert flagged == {"Group A", "Group C"}
    assert ("over_capacity", 2, "2 groups have a facilitator over capacity") in board.summary


@pytest.mark.django_db
def test_board_flags_groups_with_no_meeting_in_sixty_days(cast):
    with time_machine.travel(NOW - timedelta(days=100), tick=False):
        old = group_create(program=cast.program, name="Group Old", acting_user=cast.admin)
    PeerGroup.objects.filter(pk__in=[cast.group.pk, cast.other_group.pk]).update(
        created_at=NOW - timedelta(days=100)
    )
    with time_machine.travel(NOW, tick=False):
        past_meeting(cast.group, NOW - timedelta(days=10))
        past_meeting(cast.other_group, NOW - timedelta(days=70))
        access = organization_access(cast.admin, "acme")
        rows = {row.group.name: row for row in board_for_user(user=cast.admin, access=access).rows}
    assert "stale" not in rows["Group A"].flags
    assert "stale" in rows["Group B"].flags
    assert "stale" in rows[old.name].flags


@pytest.mark.django_db
def test_facilitator_sees_the_board_of_their_own_groups_only(client, cast, clock):
    client.force_login(cast.facilitator)
    response = client.get(board_url(cast))
    assert response.status_code == 200
    assert [row.group.name for row in response.context["board"].rows] == ["Group A"]


@pytest.mark.django_db
def test_members_cannot_open_the_board(client, cast):
    client.force_login(cast.member)
    assert client.get(board_url(cast)).status_code == 403


@pytest.mark.django_db
def test_board_sorts_names_naturally_and_filters_by_flag(client, cast, clock):
    for number in (10, 5):
        group_create(program=cast.program, name=f"Group {number}", acting_user=cast.admin)
    schedule(cast.group, cast.facilitator)
    client.force_login(cast.admin)
    names = [r.group.name for r in client.get(board_url(cast)).context["board"].rows]
    assert names == ["Group 5", "Group 10", "Group A", "Group B"]
    names = [
        r.group.name
        for r in client.get(board_url(cast, sort="name", dir="desc")).context["board"].rows
    ]
    assert names == ["Group B", "Group A", "Group 10", "Group 5"]
    flagged = client.get(board_url(cast, flag="no_schedule")).context["board"].rows
    assert "Group A" not in {row.group.name for row in flagged}
    only_a = client.get(board_url(cast, q="group a")).context["board"].rows
    assert [row.group.name for row in only_a] == ["Group A"]
    by_facilitator = client.get(board_url(cast, facilitator=cast.other_facilitator.pk))
    assert [r.group.name for r in by_facilitator.context["board"].rows] == ["Group B"]


@pytest.mark.django_db
def test_board_refuses_an_unknown_sort(client, cast):
    client.force_login(cast.admin)
    assert client.get(board_url(cast, sort="secret")).status_code == 422


def test_natural_key_orders_numbers_as_numbers():
    assert sorted(["Group 10", "Group 5", "group 1"], key=natural_key) == [
        "group 1",
        "Group 5",
        "Group 10",
    ]


def add_groups(cast, count: int, start: int) -> None:
    for number in range(start, start + count):
        facilitator = make_user(f"f{number}@acme.test", f"Facilitator {number}")
        role_grant(
            organization=cast.organization,
            user=facilitator,
            role=Role.FACILITATOR,
            acting_user=cast.admin,
        )
        group = group_create(
            program=cast.program,
            name=f"Group {number}",
            acting_user=cast.admin,
            facilitator=facilitator,
        )
        meetings.group_defaults_create(group=group)
        member = make_member(cast.organization, f"m{number}@acme.test", f"Member {number}")
        membership_add(group=group, user=member, acting_user=cast.admin)
        meetings.agreement_accept(agreement=meetings.agreement_current(group=group), user=member)
        past_meeting(group, NOW - timedelta(days=number % 20 + 1), [member])
        if number % 2:
            schedule(group, facilitator)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 30])
def test_board_runs_a_bounded_number_of_queries(
    client, cast, clock, size, django_assert_max_num_queries
):
    add_groups(cast, size, start=100)
    client.force_login(cast.admin)
    client.get(board_url(cast))  # the session and the organization are warm
    # 11 for the board, and up to 6 for pairs that may no longer share a group
    with django_assert_max_num_queries(17):
        response = client.get(board_url(cast, sort="next"))
    assert len(response.context["board"].rows) == size + 2
