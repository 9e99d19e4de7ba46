"""The services own the rules: the page and the API answer a refusal with the same
status and the same sentence, because both only call the service."""

import html

import pytest
from django.urls import reverse

from peergroups.api.tests.helpers import bearer
from peergroups.errors import Conflict, Invalid, Refused
from peergroups.meetings import services
from peergroups.meetings.models import (
    AgendaStep,
    Attendance,
    ConfidentialityAgreement,
    Issue,
    IssueStatus,
)

from .conftest import issue_for


def page_reason(response) -> str:
    return html.unescape(response.content.decode())


def api_url(name, cast, **kwargs):
    return reverse(f"api:{name}", kwargs={"org_slug": "acme", "group_id": cast.group.pk, **kwargs})


def same_refusal(page, api, status: int) -> str:
    assert (page.status_code, api.status_code) == (status, status)
    detail = api.json()["detail"]
    assert detail in page_reason(page), (detail, page.content[:300])
    return detail


def test_facilitator_vote_is_403_with_one_sentence_on_page_and_api(client, accepted):
    issue = issue_for(accepted)
    client.force_login(accepted.facilitator)
    page = client.post(
        reverse("meetings-issue-vote", args=["acme", accepted.group.pk, issue.pk]), {"vote": "1"}
    )
    api = client.post(
        api_url("api-meetings-issue-vote", accepted, issue_id=issue.pk),
        **bearer(accepted.facilitator),
    )
    assert same_refusal(page, api, 403) == services.ONLY_MEMBERS_VOTE


def test_vote_on_a_processed_issue_is_409_on_page_and_api(client, accepted):
    issue = issue_for(accepted)
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PROCESSED)
    client.force_login(accepted.member2)
    page = client.post(
        reverse("meetings-issue-vote", args=["acme", accepted.group.pk, issue.pk]), {"vote": "1"}
    )
    api = client.post(
        api_url("api-meetings-issue-vote", accepted, issue_id=issue.pk), **bearer(accepted.member2)
    )
    assert same_refusal(page, api, 409) == services.ISSUE_PROCESSED
    assert not issue.votes.exists()


def test_facilitator_cannot_bring_an_issue_on_page_or_api(client, accepted):
    data = {
        "title": "Mine",
        "category": "finance",
        "situation": "s",
        "ask": "a",
        "urgency": 2,
    }
    client.force_login(accepted.facilitator)
    page = client.post(reverse("meetings-issue-create", args=["acme", accepted.group.pk]), data)
    api = client.post(
        api_url("api-meetings-issues", accepted),
        data,
        content_type="application/json",
        **bearer(accepted.facilitator),
    )
    assert same_refusal(page, api, 403) == services.ONLY_MEMBERS_ISSUES
    assert not Issue.objects.exists()


def test_attendance_of_a_closed_meeting_is_409_on_page_and_api(client, scheduled, meeting):
    services.meeting_close(meeting=meeting, acting_user=scheduled.facilitator)
    client.force_login(scheduled.facilitator)
    page = client.post(
        reverse("meetings-run", args=["acme", scheduled.group.pk, meeting.pk]),
        {
            "action": "attendance",
            f"attendance-member_{scheduled.member.pk}": "present",
            f"attendance-member_{scheduled.member2.pk}": "present",
        },
    )
    api = client.put(
        api_url("api-meetings-attendance", scheduled, meeting_id=meeting.pk),
        [{"member_id": scheduled.member.pk, "status": "present"}],
        content_type="application/json",
        **bearer(scheduled.facilitator),
    )
    assert "closed" in same_refusal(page, api, 409)
    assert not Attendance.objects.exists()


def test_attendance_refuses_people_who_are_not_members(scheduled, meeting):
    for stranger in (scheduled.other_member, scheduled.facilitator, scheduled.admin):
        with pytest.raises(Invalid, match="Not members of this group"):
            services.attendance_record(
                meeting=meeting,
                statuses={stranger.pk: "present"},
                acting_user=scheduled.facilitator,
            )
    assert not Attendance.objects.exists()


def test_only_the_facilitator_records_attendance(scheduled, meeting):
    with pytest.raises(Refused):
        services.attendance_record(
            meeting=meeting, statuses={scheduled.member.pk: "present"}, acting_user=scheduled.member
        )


def test_vote_services_check_the_voter(accepted):
    issue = issue_for(accepted)
    for outsider in (accepted.facilitator, accepted.other_member, accepted.admin):
        with pytest.raises(Refused):
            services.issue_vote_set(issue=issue, voter=outsider, vote=True)
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PROCESSED)
    issue.refresh_from_db()
    with pytest.raises(Conflict):
        services.issue_vote_set(issue=issue, voter=accepted.member2, vote=True)


def test_only_members_of_the_group_bring_issues(accepted):
    for outsider in (accepted.facilitator, accepted.other_member):
        with pytest.raises(Refused):
            issue_for(accepted, author=outsider)


def test_group_defaults_are_made_once(cast):
    services.group_defaults_create(group=cast.group)
    services.group_defaults_create(group=cast.group)
    assert cast.group.agenda_steps.count() == 5
    assert cast.group.agreements.count() == 1


def test_pages_do_not_write_on_get(client, scheduled, meeting):
    """A group made without its defaults: the pages show it as it is and write nothing."""
    AgendaStep.objects.filter(group=scheduled.group).delete()
    ConfidentialityAgreement.objects.filter(group=scheduled.group).delete()
    group = scheduled.group.pk
    pages = [
        (scheduled.facilitator, reverse("meetings-run", args=["acme", group, meeting.pk])),
        (scheduled.facilitator, reverse("meetings-detail", args=["acme", group, meeting.pk])),
        (scheduled.facilitator, reverse("meetings-agenda-template", args=["acme", group])),
        (scheduled.facilitator, reverse("meetings-agreement", args=["acme", group])),
        (scheduled.member, reverse("meetings-agreement", args=["acme", group])),
    ]
    for user, url in pages:
        client.force_login(user)
        assert client.get(url).status_code == 200, url
    assert not AgendaStep.objects.filter(group=scheduled.group).exists()
    assert not ConfidentialityAgreement.objects.filter(group=scheduled.group).exists()
    # Accepting (a POST) makes version 1, and the member is in.
    client.force_login(scheduled.member)
    client.post(reverse("meetings-agreement", args=["acme", group]), {"action": "accept"})
    assert client.get(reverse("meetings-issues", args=["acme", group])).status_code == 200


def test_every_meetings_route_documents_its_error_statuses(client):
    schema = client.get(reverse("api:openapi-json")).json()
    for path, operations in schema["paths"].items():
        if "/groups/{group_id}/" not in path or "commitments" in path:
            continue
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert {"401", "403", "404", "422"} <= statuses, (method, path, statuses)
    vote = schema["paths"]["/api/organizations/{org_slug}/groups/{group_id}/issues/{issue_id}/vote"]
    assert "409" in vote["post"]["responses"] and "409" in vote["delete"]["responses"]
