"""Issue 22: each rule has one home, so the page and the API give the same answer.

For every rule moved into one place (text bounds, a meeting's open state, a group's
seats, a group's size bounds, the agreement before a commitment) a page and an API
route are asked the same question over real HTTP, and must refuse with the same status
family and the same sentence, storing nothing; the service says it too (the path of
tasks, imports and the demo).
"""

import html
from functools import partial

import pytest
from django.db import connection
from django.urls import reverse

from conftest import make_member, race
from peergroups.api.tests.helpers import bearer
from peergroups.errors import Invalid
from peergroups.goals import services as goals
from peergroups.goals.models import GOAL_TEXT_MAX, Commitment
from peergroups.groups import services as groups
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.groups.seats import GroupClosed, GroupFull, seat_claim
from peergroups.groupsize import MAX_GROUP_SIZE, MIN_GROUP_SIZE, group_size_check
from peergroups.meetings import services as meetings
from peergroups.meetings.models import ISSUE_TEXT_MAX, Attendance, Issue
from peergroups.meetings.selectors import AgreementRequired, agreement_latest
from peergroups.meetings.tests.conftest import (  # noqa: F401  (fixtures)
    accepted,
    frozen,
    meeting,
    scheduled,
)
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import Program
from peergroups.textlimits import text_check, text_too_long


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def api_post(client, url, data, user, method="post"):
    return getattr(client, method)(url, data, content_type="application/json", **bearer(user))


# --- text bounds -------------------------------------------------------------------------


def test_long_commitment_is_refused_alike(client, accepted):  # noqa: F811  (fixture)
    """The page used to store a 20,000-character commitment the API refused."""
    sentence = text_too_long(GOAL_TEXT_MAX)
    long_text = "c" * 20_000
    client.force_login(accepted.member)
    response = client.post(reverse("goals-commitments", args=["acme"]), {"text": long_text})
    assert response.status_code in (400, 422)
    assert sentence in page_text(response)
    response = api_post(
        client,
        reverse("api:api-commitments", kwargs={"org_slug": "acme"}),
        {"text": long_text},
        accepted.member,
    )
    assert response.status_code == 422
    assert {"field": "text", "message": sentence} in response.json()["errors"]
    with pytest.raises(Invalid, match=sentence) as refused:
        goals.commitment_make(group=accepted.group, member=accepted.member, text=long_text)
    assert refused.value.field == "text"
    assert not Commitment.objects.exists()
    # At the bound it is kept, from either door.
    response = api_post(
        client,
        reverse("api:api-commitments", kwargs={"org_slug": "acme"}),
        {"text": "c" * GOAL_TEXT_MAX},
        accepted.member,
    )
    assert response.status_code == 201


def test_long_issue_is_refused_alike(client, accepted):  # noqa: F811  (fixture)
    sentence = text_too_long(ISSUE_TEXT_MAX)
    fields = {"title": "Keep me", "category": "hiring", "ask": "a", "urgency": 2}
    too_long = "s" * (ISSUE_TEXT_MAX + 1)
    client.force_login(accepted.member)
    response = client.post(
        reverse("meetings-issue-create", args=["acme", accepted.group.pk]),
        {**fields, "situation": too_long},
    )
    assert response.status_code in (400, 422)
    assert sentence in page_text(response)
    url = f"/api/organizations/acme/groups/{accepted.group.pk}/issues"
    response = api_post(client, url, {**fields, "situation": too_long}, accepted.member)
    assert response.status_code == 422
    assert {"field": "situation", "message": sentence} in response.json()["errors"]
    assert not Issue.objects.exists()


def test_one_helper_one_sentence_for_every_bound():
    with pytest.raises(Invalid) as refused:
        text_check("x" * 11, field="name", limit=10)
    assert (refused.value.reason, refused.value.field) == (text_too_long(10), "name")
    assert text_check("  a   b ", field="name", limit=3, fold=True) == "a b"
    with pytest.raises(Invalid, match="Name it."):
        text_check("   ", field="name", limit=3, blank="Name it.")


# --- a meeting's open state ----------------------------------------------------------------


def test_closed_meeting_refuses_attendance_alike(client, meeting):  # noqa: F811  (fixture)
    facilitator = meeting.group.facilitator
    meetings.meeting_close(meeting=meeting, acting_user=facilitator)
    meeting.refresh_from_db()
    assert not meeting.is_open and meeting.is_closed
    members = list(meeting.group.memberships.values_list("user_id", flat=True))
    client.force_login(facilitator)
    response = client.post(
        reverse("meetings-run", args=["acme", meeting.group_id, meeting.pk]),
        {"action": "attendance", **{f"attendance-member_{m}": "present" for m in members}},
    )
    assert response.status_code == 409
    sentence = "This meeting has been closed; its records are final."
    assert sentence in page_text(response)
    response = api_post(
        client,
        f"/api/organizations/acme/groups/{meeting.group_id}/meetings/{meeting.pk}/attendance",
        [{"member_id": m, "status": "present"} for m in members],
        facilitator,
        method="put",
    )
    assert response.status_code == 409
    assert response.json()["detail"] == sentence
    assert not Attendance.objects.exists()


def test_cancelled_meeting_is_not_open_but_moves(meeting):  # noqa: F811  (fixture)
    facilitator = meeting.group.facilitator
    meetings.meeting_cancel(meeting=meeting, acting_user=facilitator)
    meeting.refresh_from_db()
    assert meeting.is_cancelled and not meeting.is_open and not meeting.is_closed
    with pytest.raises(meetings.MeetingClosed, match="cancelled; it has no records"):
        meetings.attendance_record(meeting=meeting, statuses={}, acting_user=facilitator)
    moved = meetings.meeting_move(
        meeting=meeting,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        location="",
        video_url="",
        acting_user=facilitator,
    )
    assert moved.is_open  # moving a cancelled occurrence reinstates it


# --- seats -----------------------------------------------------------------------------------


def move_mia_to_group_b_by_api(client, cast):
    return api_post(
        client,
        f"/api/organizations/acme/groups/{cast.group.pk}/moves",
        {"user_id": cast.member.pk, "to_group_id": cast.other_group.pk},
        cast.admin,
    )


def test_a_full_group_refuses_a_move_on_the_page_and_in_the_api(client, cast):
    PeerGroup.objects.filter(pk=cast.other_group.pk).update(capacity=1)
    client.force_login(cast.admin)
    response = client.post(
        reverse("groups-manage", kwargs={"org_slug": "acme", "group_id": cast.group.pk}),
        {"action": "move", "move-user": cast.member.pk, "move-to_group": cast.other_group.pk},
    )
    sentence = "Group B has no open seat."
    assert response.status_code in (409, 422)
    assert sentence in page_text(response)
    response = move_mia_to_group_b_by_api(client, cast)
    assert response.status_code == 409
    assert response.json()["detail"] == sentence
    assert GroupMembership.objects.get(user=cast.member).group_id == cast.group.pk
    counts = dict(PeerGroup.objects.values_list("pk", "member_count"))
    assert (counts[cast.group.pk], counts[cast.other_group.pk]) == (2, 1)


def test_a_closed_group_refuses_a_claim_and_the_api_says_so(client, cast):
    groups.group_close(
        access=organization_access(cast.admin, "acme"),
        acting_user=cast.admin,
        group=cast.other_group,
    )
    with pytest.raises(GroupClosed, match="Group B is closed."):
        seat_claim(group=cast.other_group)
    response = move_mia_to_group_b_by_api(client, cast)
    assert response.status_code == 409
    assert response.json()["detail"] == "Group B is closed."
    cast.other_group.refresh_from_db()
    assert cast.other_group.member_count == 1 == cast.other_group.memberships.count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_joins_and_a_close_never_overfill_nor_join_a_closed_group(cast):
    """Twenty joins race each other and the group's close: the claim reads the capacity
    and the closed state under the row lock, so no one joins after the close and the
    count never passes the capacity."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent claims are tested on PostgreSQL (SQLite has one writer)")
    group = groups.group_create(
        program=cast.program, name="Racing", capacity=4, acting_user=cast.admin
    )
    joiners = [make_member(cast.organization, f"racer{i}@acme.test", f"R {i}") for i in range(20)]
    access = organization_access(cast.admin, "acme")
    calls = [
        partial(groups.membership_add, group=group, user=user, acting_user=None) for user in joiners
    ]
    calls.insert(
        10, partial(groups.group_close, access=access, acting_user=cast.admin, group=group)
    )
    outcomes = race(*calls)
    joined = [o for o in outcomes if isinstance(o, GroupMembership)]
    refused = [o for o in outcomes if isinstance(o, GroupFull | GroupClosed)]
    assert len(joined) + len(refused) == 20, [o for o in outcomes if isinstance(o, Exception)]
    group.refresh_from_db()
    assert group.closed_at is not None
    assert group.member_count == len(joined) == group.memberships.count() <= group.capacity
    assert all(m.joined_at <= group.closed_at for m in group.memberships.all())


# --- group size bounds -------------------------------------------------------------------------


def test_program_size_bounds_read_the_same_on_the_page_and_in_the_api(client, cast):
    sentence = f"Groups have between {MIN_GROUP_SIZE} and {MAX_GROUP_SIZE} members."
    client.force_login(cast.admin)
    response = client.post(
        reverse("groups-program-create", args=["acme"]),
        {
            "name": "Too big",
            "min_group_size": 4,
            "max_group_size": MAX_GROUP_SIZE + 1,
            "open_seats": 0,
            "grouping_basis": "mixed",
            "meeting_cadence": "monthly",
        },
    )
    assert response.status_code in (400, 422)
    assert sentence in page_text(response)
    assert not Program.objects.filter(name="Too big").exists()
    program = cast.program
    response = api_post(
        client,
        f"/api/organizations/acme/programs/{program.pk}",
        {
            "name": program.name,
            "min_group_size": 4,
            "max_group_size": MAX_GROUP_SIZE + 1,
            "open_seats": 0,
            "meeting_cadence": program.meeting_cadence,
            "grouping_basis": program.grouping_basis,
        },
        cast.admin,
        method="patch",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "max_group_size", "message": sentence}]
    # The formation run's parameters ask the same check, with their own field names.
    with pytest.raises(Invalid, match=sentence) as refused:
        group_size_check(
            smallest=1, largest=5, open_seats=0, fields=("min_size", "max_size", "open_seats")
        )
    assert refused.value.field == "min_size"


# --- the agreement before a commitment ---------------------------------------------------------


def test_a_commitment_waits_for_the_agreement_on_the_page_in_the_api_and_in_the_service(
    client, cast
):
    """Mia has not accepted Group A's agreement: no door takes her commitment."""
    client.force_login(cast.member)
    response = client.post(reverse("goals-commitments", args=["acme"]), {"text": "Call the bank."})
    agreement_page = reverse("meetings-agreement", args=["acme", cast.group.pk])
    assert response.status_code == 302 and response["Location"] == agreement_page
    response = api_post(
        client,
        reverse("api:api-commitments", kwargs={"org_slug": "acme"}),
        {"text": "Call the bank."},
        cast.member,
    )
    assert response.status_code == 403
    assert response.json()["detail"] == AgreementRequired(cast.group).reason
    with pytest.raises(AgreementRequired):
        goals.commitment_make(group=cast.group, member=cast.member, text="Call the bank.")
    assert not Commitment.objects.exists()
    meetings.agreement_accept(agreement=agreement_latest(group=cast.group), user=cast.member)
    assert goals.commitment_make(group=cast.group, member=cast.member, text="Call the bank.").pk


def test_every_bounded_form_field_says_the_service_sentence():
    """The page's own check (before the service) reads as the service would."""
    from peergroups.goals.forms import CommitmentForm
    from peergroups.groups.forms import RenameForm
    from peergroups.meetings.forms import NoteForm
    from peergroups.network.forms import AnswerForm, QuestionForm
    from peergroups.people.forms import CategoryAddForm

    for form_class, field in (
        (CommitmentForm, "text"),
        (RenameForm, "name"),
        (NoteForm, "text"),
        (AnswerForm, "body"),
        (QuestionForm, "title"),
        (CategoryAddForm, "label"),
    ):
        limit = form_class.base_fields[field].max_length
        form = form_class(data={field: "x" * (limit + 1)})
        assert form.errors[field] == [text_too_long(limit)], form_class
        assert form_class().fields[field].widget.attrs["maxlength"] == str(limit)
