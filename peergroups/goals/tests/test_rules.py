"""Goals' rules live in its services: bounded figures, one row per submitted form, the
member's choice of group, and the same refusal on the page and in the API."""

import html
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from conftest import race
from peergroups.api.tests.helpers import bearer
from peergroups.errors import Invalid, Refused
from peergroups.goals import services
from peergroups.goals.models import GOAL_VALUE_MAX, Commitment, GoalUpdate, KeyGoal
from peergroups.groups.services import group_create, membership_add, program_create
from peergroups.meetings import services as meetings
from peergroups.meetings.models import Issue


def shared_goal(cast, **fields):
    defaults = dict(
        organization=cast.organization,
        owner=cast.member,
        group=cast.group,
        title="Hire two leads",
        measure="leads",
        baseline=0,
        target=2,
        due_on=date(2031, 1, 1),
        visibility="group",
    )
    return services.goal_create(**{**defaults, **fields})


def post_json(client, url, data, user):
    return client.post(url, data, content_type="application/json", **bearer(user))


# --- bounds ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1e20", "1e300", "-1e13", "NaN", "Infinity", "0.001"])
def test_out_of_bounds_progress_is_422_and_nothing_is_stored(client, accepted, value):
    goal = shared_goal(accepted)
    url = reverse("api:api-goals-updates", kwargs={"org_slug": "acme", "goal_id": goal.pk})
    response = client.post(
        url,
        f'{{"value": {value if value[0].isdigit() or value[0] == "-" else repr(value)}}}'.replace(
            "'", '"'
        ),
        content_type="application/json",
        **bearer(accepted.member),
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"].endswith("value")
    assert not GoalUpdate.objects.exists()
    client.force_login(accepted.member)
    page = client.post(
        reverse("goals-progress", args=["acme", goal.pk]), {"action": "progress", "value": value}
    )
    assert page.status_code == 400
    assert not GoalUpdate.objects.exists()
    assert client.get(goal.get_absolute_url()).status_code == 200


def test_goal_page_shows_the_largest_allowed_figures(client, accepted):
    goal = shared_goal(accepted, baseline=-GOAL_VALUE_MAX, target=GOAL_VALUE_MAX)
    services.goal_progress_add(goal=goal, value=GOAL_VALUE_MAX, acting_user=accepted.member)
    client.force_login(accepted.member)
    assert client.get(goal.get_absolute_url()).status_code == 200
    assert client.get(reverse("goals-dashboard", args=["acme"])).status_code == 200


def test_the_service_refuses_unbounded_figures_too(accepted):
    with pytest.raises(Invalid):
        shared_goal(accepted, target=Decimal("1e20"))
    goal = shared_goal(accepted)
    with pytest.raises(Invalid):
        services.goal_progress_add(goal=goal, value=Decimal("1e20"), acting_user=accepted.member)


def test_goal_api_refuses_a_huge_baseline(client, accepted, frozen):
    response = post_json(
        client,
        reverse("api:api-goals", kwargs={"org_slug": "acme"}),
        {"title": "x", "measure": "y", "baseline": 1e20, "target": 1, "due_on": "2027-12-31"},
        accepted.member,
    )
    assert response.status_code == 422
    assert not KeyGoal.objects.exists()


# --- the same refusal on the page and in the API ---------------------------------------


def test_progress_by_someone_else_is_403_with_one_sentence(client, accepted):
    goal = shared_goal(accepted)
    client.force_login(accepted.member2)
    page = client.post(
        reverse("goals-progress", args=["acme", goal.pk]), {"action": "progress", "value": "1"}
    )
    api = post_json(
        client,
        reverse("api:api-goals-updates", kwargs={"org_slug": "acme", "goal_id": goal.pk}),
        {"value": 1},
        accepted.member2,
    )
    assert (page.status_code, api.status_code) == (403, 403)
    assert api.json()["detail"] == services.ONLY_GOAL_OWNER
    assert services.ONLY_GOAL_OWNER in html.unescape(page.content.decode())


def test_progress_on_a_dropped_goal_is_409_on_page_and_api(client, accepted):
    goal = shared_goal(accepted)
    services.goal_drop(goal=goal, acting_user=accepted.member)
    client.force_login(accepted.member)
    page = client.post(
        reverse("goals-progress", args=["acme", goal.pk]), {"action": "progress", "value": "1"}
    )
    api = post_json(
        client,
        reverse("api:api-goals-updates", kwargs={"org_slug": "acme", "goal_id": goal.pk}),
        {"value": 1},
        accepted.member,
    )
    assert (page.status_code, api.status_code) == (409, 409)
    assert api.json()["detail"] in html.unescape(page.content.decode())


def test_check_in_on_another_members_commitment_is_403_on_page_and_api(client, accepted, commit):
    commitment = commit(date(2027, 1, 12))
    client.force_login(accepted.member2)
    page = client.post(reverse("goals-check-in", args=["acme", commitment.pk]), {"status": "done"})
    api = post_json(
        client,
        reverse(
            "api:api-commitments-check-ins",
            kwargs={"org_slug": "acme", "commitment_id": commitment.pk},
        ),
        {"status": "done"},
        accepted.member2,
    )
    assert (page.status_code, api.status_code) == (403, 403)
    assert api.json()["detail"] == services.ONLY_COMMITMENT_OWNER
    assert services.ONLY_COMMITMENT_OWNER in html.unescape(page.content.decode())
    with pytest.raises(Refused):
        services.commitment_check_in(
            commitment=commitment, status="done", acting_user=accepted.member2
        )


# --- one row per submitted form --------------------------------------------------------


def test_a_commitment_form_posted_twice_makes_one_commitment(client, scheduled):
    client.force_login(scheduled.member)
    url = reverse("goals-commitments", args=["acme"])
    key = client.get(url).context["form"].initial["idempotency_key"]
    for _ in range(2):
        response = client.post(url, {"text": "Draft the plan.", "idempotency_key": key})
        assert response.status_code == 302
    assert Commitment.objects.count() == 1
    client.post(url, {"text": "Draft the plan."})  # a new form (no key): a new commitment
    assert Commitment.objects.count() == 2


def test_an_issue_form_posted_twice_makes_one_issue(client, accepted):
    client.force_login(accepted.member)
    url = reverse("meetings-issue-create", args=["acme", accepted.group.pk])
    key = client.get(url).context["form"].initial["idempotency_key"]
    data = {
        "title": "Pricing",
        "category": "finance",
        "situation": "s",
        "ask": "a",
        "urgency": "2",
        "idempotency_key": key,
    }
    assert [client.post(url, data).status_code for _ in range(2)] == [302, 302]
    assert Issue.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_racing_posts_of_one_form_make_one_commitment_and_one_issue(accepted, frozen):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent requests are tested on PostgreSQL (SQLite has one writer)")
    import uuid

    key = uuid.uuid4()

    def commit():
        return services.commitment_make(
            group=accepted.group, member=accepted.member, text="Once.", idempotency_key=key
        ).pk

    def bring():
        return meetings.issue_submit(
            group=accepted.group,
            author=accepted.member,
            title="Once",
            category="finance",
            situation="s",
            ask="a",
            urgency=2,
            idempotency_key=key,
        ).pk

    made = race(commit, commit, commit)
    assert len(set(made)) == 1, made
    assert Commitment.objects.count() == 1
    brought = race(bring, bring, bring)
    assert len(set(brought)) == 1, brought
    assert Issue.objects.count() == 1


# --- the member chooses the group ------------------------------------------------------


@pytest.fixture
def two_groups(accepted, frozen):
    """Mia is also in Group Z of another program, which meets before Group A does."""
    program = program_create(
        organization=accepted.organization, acting_user=accepted.admin, name="Finance circle"
    )
    other = group_create(
        program=program,
        name="Group Z",
        acting_user=accepted.admin,
        facilitator=accepted.facilitator,
    )
    meetings.group_defaults_create(group=other)
    membership_add(group=other, user=accepted.member, acting_user=accepted.admin)
    for group, day in ((accepted.group, date(2027, 1, 20)), (other, date(2027, 1, 5))):
        meetings.meeting_series_set(
            group=group,
            acting_user=accepted.facilitator,
            frequency="weekly",
            weekday=day.weekday(),
            starts_on=day,
            start_time=time(9),
            end_time=time(11),
            time_zone="UTC",
        )
    meetings.agreement_accept(
        agreement=meetings.agreement_current(group=other), user=accepted.member
    )
    return accepted, other


def test_default_group_is_the_one_the_member_meets_in_next(client, two_groups):
    cast, other = two_groups
    client.force_login(cast.member)
    url = reverse("goals-commitments", args=["acme"])
    form = client.get(url).context["form"]
    assert form.initial["group"] == other.pk
    assert [pk for pk, _ in form.fields["group"].choices] == [other.pk, cast.group.pk]
    client.post(url, {"text": "Default.", "group": form.initial["group"]})  # as shown
    assert Commitment.objects.get(text="Default.").group == other


def test_member_chooses_the_group_of_a_commitment_and_a_goal(client, two_groups):
    cast, other = two_groups
    client.force_login(cast.member)
    client.post(
        reverse("goals-commitments", args=["acme"]), {"text": "A's.", "group": cast.group.pk}
    )
    assert Commitment.objects.get(text="A's.").group == cast.group
    response = client.post(
        reverse("goals-create", args=["acme"]),
        {
            "title": "Shared with A",
            "measure": "x",
            "baseline": "0",
            "target": "3",
            "due_on": "2027-12-31",
            "visibility": "group",
            "group": cast.group.pk,
        },
    )
    assert response.status_code == 302
    assert KeyGoal.objects.get().group == cast.group
    made = post_json(
        client,
        reverse("api:api-commitments", kwargs={"org_slug": "acme"}),
        {"text": "Via API.", "group_id": cast.group.pk},
        cast.member,
    )
    assert made.status_code == 201
    assert made.json()["group_id"] == cast.group.pk
    default = post_json(
        client,
        reverse("api:api-commitments", kwargs={"org_slug": "acme"}),
        {"text": "D."},
        cast.member,
    )
    assert default.json()["group_id"] == other.pk


def test_a_group_that_is_not_yours_cannot_be_chosen(client, two_groups):
    cast, _ = two_groups
    client.force_login(cast.member)
    response = client.post(
        reverse("goals-commitments", args=["acme"]), {"text": "B's.", "group": cast.other_group.pk}
    )
    assert response.status_code == 400
    api = post_json(
        client,
        reverse("api:api-commitments", kwargs={"org_slug": "acme"}),
        {"text": "B's.", "group_id": cast.other_group.pk},
        cast.member,
    )
    assert api.status_code == 404
    with pytest.raises(Refused):
        services.commitment_make(group=cast.other_group, member=cast.member, text="B's.")
    assert not Commitment.objects.exists()


# --- the run-of-show's commitments part (a goals URL) ----------------------------------


def test_facilitator_records_the_presenters_commitment_from_the_run_of_show(
    client, scheduled, meeting
):
    issue = meetings.issue_submit(
        group=scheduled.group,
        author=scheduled.member,
        title="Promote?",
        category="hiring",
        situation="s",
        ask="a",
        urgency=2,
    )
    meetings.agenda_issues_pick(meeting=meeting, issues=[issue], acting_user=scheduled.facilitator)
    meetings.meeting_step_set(
        meeting=meeting, step=1, issue=issue, acting_user=scheduled.facilitator
    )
    url = reverse("goals-meeting-commitments", args=["acme", scheduled.group.pk, meeting.pk])
    client.force_login(scheduled.facilitator)
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert fragment.context["form"].initial["member"] == scheduled.member.pk  # the presenter
    response = client.post(
        url,
        {
            "issue": issue.pk,
            "commitment-member": scheduled.member.pk,
            "commitment-text": "Talk to both candidates.",
            "commitment-due_on": "2027-01-15",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("meetings-run", args=["acme", scheduled.group.pk, meeting.pk])
        + "?early=1#commitment"
    )
    commitment = Commitment.objects.get()
    assert (commitment.member, commitment.issue, commitment.due_on) == (
        scheduled.member,
        issue,
        date(2027, 1, 15),
    )
    assert "Talk to both candidates." in client.get(url, HTTP_HX_REQUEST="true").text
    issue_part = reverse("goals-issue-commitments", args=["acme", scheduled.group.pk, issue.pk])
    for user in (scheduled.member2, scheduled.facilitator):
        client.force_login(user)
        assert "Talk to both candidates." in client.get(issue_part).text
    client.force_login(scheduled.admin)
    assert client.get(issue_part).status_code == 403
    assert client.get(url).status_code == 403


def test_commitment_form_errors_are_shown_and_nothing_is_lost(client, scheduled, meeting):
    url = reverse("goals-meeting-commitments", args=["acme", scheduled.group.pk, meeting.pk])
    client.force_login(scheduled.facilitator)
    response = client.post(url, {"commitment-text": "", "commitment-due_on": "2027-01-15"})
    assert response.status_code == 400
    assert "Please correct the fields" in response.text
    assert 'value="2027-01-15"' in response.text
    assert not Commitment.objects.exists()


def test_only_the_facilitator_records_and_only_for_members(client, scheduled, meeting):
    url = reverse("goals-meeting-commitments", args=["acme", scheduled.group.pk, meeting.pk])
    client.force_login(scheduled.member)
    data = {"commitment-member": scheduled.member.pk, "commitment-text": "Mine."}
    assert client.post(url, data).status_code == 403
    with pytest.raises(Invalid):
        services.commitment_record(
            meeting=meeting,
            member_id=scheduled.other_member.pk,
            text="Not in this group.",
            acting_user=scheduled.facilitator,
        )
    meetings.meeting_close(meeting=meeting, acting_user=scheduled.facilitator)
    client.force_login(scheduled.facilitator)
    assert client.post(url, data).status_code == 409
    assert not Commitment.objects.exists()


def test_a_meeting_moved_past_midnight_still_counts_its_due_date_in_group_time(scheduled):
    # The default due date is the next meeting's date in the group's zone (New York).
    first = scheduled.group.meetings.order_by("starts_at").first()
    after = datetime(2027, 1, 1, tzinfo=UTC)
    assert (
        services.commitment_default_due(group=scheduled.group, after=after)
        == (first.starts_at - timedelta(hours=5)).date()
    )
