"""The goals API: my goals and commitments, progress, check-ins, a group's commitments."""

from datetime import date

from django.urls import reverse

from peergroups.api.tests.helpers import bearer


def post(client, url, data, user):
    return client.post(url, data, content_type="application/json", **bearer(user))


def test_member_creates_a_goal_and_records_progress(client, accepted, frozen):
    url = reverse("api:api-goals", kwargs={"org_slug": "acme"})
    response = post(
        client,
        url,
        {"title": "Hire", "measure": "hires", "baseline": 0, "target": 4, "due_on": "2027-12-31"},
        accepted.member,
    )
    assert response.status_code == 201, response.content
    goal = response.json()
    assert (goal["status"], goal["visibility"]) == ("on_track", "private")
    update = post(
        client,
        reverse("api:api-goals-updates", kwargs={"org_slug": "acme", "goal_id": goal["id"]}),
        {"value": 4, "note": "All four."},
        accepted.member,
    )
    assert update.status_code == 201
    assert update.json()["status"] == "done"
    listed = client.get(url, **bearer(accepted.member)).json()
    assert [float(g["current"]) for g in listed] == [4.0]


def test_invalid_goal_is_422_with_a_reason(client, accepted, frozen):
    response = post(
        client,
        reverse("api:api-goals", kwargs={"org_slug": "acme"}),
        {"title": "Hire", "measure": "hires", "baseline": 2, "target": 2, "due_on": "2027-12-31"},
        accepted.member,
    )
    assert response.status_code == 422
    assert "target must differ" in response.json()["detail"]


def test_member_commits_and_checks_in_through_the_api(client, scheduled):
    url = reverse("api:api-commitments", kwargs={"org_slug": "acme"})
    made = post(client, url, {"text": "Draft the plan."}, scheduled.member)
    assert made.status_code == 201
    assert made.json()["due_on"] == "2027-01-12"
    check_in = post(
        client,
        reverse(
            "api:api-commitments-check-ins",
            kwargs={"org_slug": "acme", "commitment_id": made.json()["id"]},
        ),
        {"status": "partly", "note": "Half."},
        scheduled.member,
    )
    assert check_in.status_code == 201
    (mine,) = client.get(url, **bearer(scheduled.member)).json()
    assert (mine["outcome"], mine["outcome_note"]) == ("partly", "Half.")
    group = client.get(
        reverse(
            "api:api-group-commitments", kwargs={"org_slug": "acme", "group_id": scheduled.group.pk}
        ),
        **bearer(scheduled.facilitator),
    )
    assert [c["text"] for c in group.json()] == ["Draft the plan."]


def test_check_in_on_someone_elses_commitment_is_403_with_a_reason(client, accepted, commit):
    commitment = commit(date(2030, 1, 5))
    response = post(
        client,
        reverse(
            "api:api-commitments-check-ins",
            kwargs={"org_slug": "acme", "commitment_id": commitment.pk},
        ),
        {"status": "done"},
        accepted.member2,
    )
    assert response.status_code == 403
    assert "Only the member who made the commitment" in response.json()["detail"]


def test_admin_gets_403_on_group_commitments(client, accepted):
    response = client.get(
        reverse(
            "api:api-group-commitments", kwargs={"org_slug": "acme", "group_id": accepted.group.pk}
        ),
        **bearer(accepted.admin),
    )
    assert response.status_code == 403
    assert "aggregate" in response.json()["detail"]
