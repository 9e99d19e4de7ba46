"""Group content reaches the group's members and facilitator only — never admins."""

import pytest
from django.urls import reverse

from peergroups.meetings import selectors, services
from peergroups.meetings.models import AttendanceStatus

from .conftest import issue_for

SECRETS = [
    "Closing the Denver plant",  # issue title
    "The board does not know yet",  # situation
    "How to tell the team",  # ask
    "Ask the union rep first",  # note
    "Draft the announcement",  # commitment (goals/tests/test_meeting_commitments.py)
    "Marriage counselling",  # check-in
]


@pytest.fixture
def content(scheduled, meeting):
    issue = issue_for(
        scheduled,
        title=SECRETS[0],
        situation=SECRETS[1],
        ask=SECRETS[2],
        category="operations",
    )
    services.agenda_issues_pick(meeting=meeting, issues=[issue], acting_user=scheduled.facilitator)
    services.meeting_note_add(
        meeting=meeting, author=scheduled.member2, kind="experience", text=SECRETS[3], issue=issue
    )
    services.check_in_save(
        meeting=meeting, member=scheduled.member, work="Busy", personal=SECRETS[5], rating=4
    )
    services.attendance_record(
        meeting=meeting,
        statuses={scheduled.member.pk: AttendanceStatus.PRESENT},
        acting_user=scheduled.facilitator,
    )
    return {"issue": issue, "meeting": meeting, "cast": scheduled}


def content_urls(content) -> list[str]:
    group, meeting, issue = content["cast"].group.pk, content["meeting"].pk, content["issue"].pk
    return [
        reverse("meetings-list", args=["acme", group]),
        reverse("meetings-issues", args=["acme", group]),
        reverse("meetings-issue-detail", args=["acme", group, issue]),
        reverse("meetings-detail", args=["acme", group, meeting]),
        reverse("meetings-run", args=["acme", group, meeting]),
        reverse("meetings-check-in", args=["acme", group, meeting]),
        reverse("meetings-ics", args=["acme", group, meeting]),
        reverse("meetings-agreement", args=["acme", group]),
        reverse("meetings-schedule", args=["acme", group]),
        reverse("meetings-agenda-template", args=["acme", group]),
        reverse("meetings-edit", args=["acme", group, meeting]),
    ]


def test_admin_gets_403_on_every_group_content_page(client, content):
    client.force_login(content["cast"].admin)
    for url in content_urls(content):
        response = client.get(url)
        assert response.status_code == 403, url
        assert not any(secret in response.content.decode() for secret in SECRETS), url


def test_admin_cannot_write_into_a_group_either(client, content):
    cast, meeting, issue = content["cast"], content["meeting"], content["issue"]
    client.force_login(cast.admin)
    group = cast.group.pk
    assert (
        client.post(reverse("meetings-issue-vote", args=["acme", group, issue.pk])).status_code
        == 403
    )
    assert (
        client.post(
            reverse("meetings-run", args=["acme", group, meeting.pk]), {"action": "close"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("meetings-agenda-pick", args=["acme", group, meeting.pk]), {"issues": []}
        ).status_code
        == 403
    )


def test_no_secret_on_any_page_the_admin_can_open(client, content):
    cast = content["cast"]
    client.force_login(cast.admin)
    pages = [
        reverse("organizations-dashboard", args=["acme"]),
        reverse("groups-detail", args=["acme", cast.group.pk]),
        reverse("organizations-program", args=["acme", cast.program.pk]),
        reverse("meetings-insights", args=["acme"]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert not any(secret in body for secret in SECRETS), url


def test_other_group_gets_403_and_other_organization_404(client, content):
    for user, expected in ((content["cast"].other_member, 403), (content["cast"].outsider, 404)):
        client.force_login(user)
        for url in content_urls(content):
            assert client.get(url).status_code == expected, (user, url)


def test_members_and_facilitator_read_the_content(client, content):
    cast = content["cast"]
    detail = reverse("meetings-issue-detail", args=["acme", cast.group.pk, content["issue"].pk])
    for user in (cast.member, cast.member2, cast.facilitator):
        client.force_login(user)
        body = client.get(detail).content.decode()
        assert SECRETS[1] in body and SECRETS[3] in body


def test_issue_of_another_group_is_404_inside_your_own_group_url(client, content):
    cast = content["cast"]
    services.agreement_accept(
        agreement=selectors.agreement_latest(group=cast.other_group), user=cast.other_member
    )
    client.force_login(cast.other_member)
    url = reverse("meetings-issue-detail", args=["acme", cast.other_group.pk, content["issue"].pk])
    assert client.get(url).status_code == 404
