"""The meetings API router.

Two layers: the handlers through Ninja's TestClient with `request.auth` set to the
user, as the project's auth sets it, on an API with the project's error mapping;
and the same checks through real HTTP with tokens from
peergroups.api.services.token_create mounted on the project's API (where a call
without credentials gets 401).
"""

from django.urls import reverse
from ninja import NinjaAPI
from ninja.testing import TestClient

from peergroups.api.tests.helpers import bearer
from peergroups.http import install_api_errors
from peergroups.meetings import services
from peergroups.meetings.api import router
from peergroups.meetings.models import Attendance, Issue, IssueVote

from .conftest import issue_for

mapped = NinjaAPI(urls_namespace="meetings-router-test")
install_api_errors(mapped)
mapped.add_router("", router)
client = TestClient(mapped)


def base(cast) -> str:
    return f"/organizations/acme/groups/{cast.group.pk}"


def test_member_lists_meetings_and_agenda(scheduled, meeting):
    issue = issue_for(scheduled)
    services.agenda_issues_pick(meeting=meeting, issues=[issue], acting_user=scheduled.facilitator)
    response = client.get(base(scheduled) + "/meetings", auth=scheduled.member)
    assert response.status_code == 200
    meetings = response.json()
    assert len(meetings) == 12
    assert meetings[0]["uid"] == meeting.uid
    assert meetings[0]["time_zone"] == "America/New_York"
    agenda = client.get(
        base(scheduled) + f"/meetings/{meeting.pk}/agenda", auth=scheduled.member
    ).json()
    assert [s["kind"] for s in agenda["steps"]][:2] == ["checkin", "issues"]
    assert [i["title"] for i in agenda["issues"]] == [issue.title]


def test_member_submits_and_votes_once(accepted):
    response = client.post(
        base(accepted) + "/issues",
        json={
            "title": "Board wants a CFO",
            "category": "finance",
            "situation": "We are 40 people.",
            "ask": "When did you hire yours?",
            "urgency": 3,
        },
        auth=accepted.member,
    )
    assert response.status_code == 201, response.json()
    issue_id = response.json()["id"]
    for _ in range(2):
        vote = client.post(base(accepted) + f"/issues/{issue_id}/vote", auth=accepted.member2)
    assert vote.json() == {"issue_id": issue_id, "voted": True, "votes": 1}
    assert IssueVote.objects.count() == 1
    listed = client.get(base(accepted) + "/issues", auth=accepted.member2).json()
    assert listed[0]["voted"] is True
    unvote = client.delete(base(accepted) + f"/issues/{issue_id}/vote", auth=accepted.member2)
    assert unvote.json()["votes"] == 0


def test_bad_issue_is_refused_with_a_reason(accepted):
    response = client.post(
        base(accepted) + "/issues",
        json={"title": "x", "category": "astrology", "situation": "s", "ask": "a"},
        auth=accepted.member,
    )
    assert response.status_code == 422
    assert not Issue.objects.exists()


def test_too_long_or_empty_issue_is_refused_with_a_reason(accepted):
    fields = {"category": "finance", "situation": "s", "ask": "a"}
    response = client.post(
        base(accepted) + "/issues", json={**fields, "title": "x" * 200}, auth=accepted.member
    )
    assert response.status_code == 422
    assert "Keep this to 160 characters or fewer." in response.json()["detail"]
    response = client.post(
        base(accepted) + "/issues", json={**fields, "title": "   "}, auth=accepted.member
    )
    assert response.status_code == 422
    assert not Issue.objects.exists()


def test_facilitator_records_attendance(scheduled, meeting):
    url = base(scheduled) + f"/meetings/{meeting.pk}/attendance"
    rows = [
        {"member_id": scheduled.member.pk, "status": "present"},
        {"member_id": scheduled.member2.pk, "status": "absent"},
    ]
    response = client.put(url, json=rows, auth=scheduled.facilitator)
    assert response.status_code == 200
    assert {r["status"] for r in response.json()} == {"present", "absent"}
    assert Attendance.objects.count() == 2
    stranger = [{"member_id": scheduled.other_member.pk, "status": "present"}]
    assert client.put(url, json=stranger, auth=scheduled.facilitator).status_code == 422
    assert client.put(url, json=rows, auth=scheduled.member).status_code == 403


def test_admin_gets_json_403_with_a_reason(scheduled, meeting):
    issue_for(scheduled)
    for path in ("/issues", "/meetings", f"/meetings/{meeting.pk}/agenda"):
        response = client.get(base(scheduled) + path, auth=scheduled.admin)
        assert response.status_code == 403, path
        assert "aggregate" in response.json()["detail"]


def test_other_group_403_other_organization_404(scheduled):
    assert client.get(base(scheduled) + "/issues", auth=scheduled.other_member).status_code == 403
    response = client.get(base(scheduled) + "/issues", auth=scheduled.outsider)
    assert response.status_code == 404
    assert response.json()["detail"]


def test_member_without_agreement_is_told_to_accept_it(cast):
    response = client.get(base(cast) + "/issues", auth=cast.member)
    assert response.status_code == 403
    assert "confidentiality agreement" in response.json()["detail"]


# --- through real HTTP, with bearer tokens -------------------------------------------


def test_http_member_reads_issues_admin_gets_403(client, scheduled):
    issue_for(scheduled)
    url = reverse(
        "api:api-meetings-issues", kwargs={"org_slug": "acme", "group_id": scheduled.group.pk}
    )
    assert client.get(url).status_code == 401
    response = client.get(url, **bearer(scheduled.member))
    assert response.status_code == 200
    assert response.json()[0]["title"] == "Whether to promote from within"
    refused = client.get(url, **bearer(scheduled.admin))
    assert refused.status_code == 403
    assert refused.json()["detail"]
    assert client.get(url, **bearer(scheduled.outsider)).status_code == 404


def test_http_vote_and_attendance(client, scheduled, meeting):
    issue = issue_for(scheduled)
    kwargs = {"org_slug": "acme", "group_id": scheduled.group.pk}
    vote = reverse("api:api-meetings-issue-vote", kwargs={**kwargs, "issue_id": issue.pk})
    assert client.post(vote, **bearer(scheduled.member2)).json()["votes"] == 1
    attendance = reverse("api:api-meetings-attendance", kwargs={**kwargs, "meeting_id": meeting.pk})
    response = client.put(
        attendance,
        data=[{"member_id": scheduled.member.pk, "status": "present"}],
        content_type="application/json",
        **bearer(scheduled.facilitator),
    )
    assert response.status_code == 200
