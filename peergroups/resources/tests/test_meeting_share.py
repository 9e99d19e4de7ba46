"""The agenda's resource share step: a fragment the meeting pages load with htmx."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from peergroups.meetings.models import Meeting
from peergroups.resources.models import Resource

EARLIER = datetime(2027, 1, 12, 13, tzinfo=UTC)
NEXT = datetime(2027, 2, 9, 13, tzinfo=UTC)


@pytest.fixture
def meetings(accepted):
    earlier = Meeting.objects.create(
        group=accepted.group, starts_at=EARLIER, ends_at=EARLIER + timedelta(hours=4)
    )
    upcoming = Meeting.objects.create(
        group=accepted.group, starts_at=NEXT, ends_at=NEXT + timedelta(hours=4)
    )
    return earlier, upcoming


def url(meeting):
    return reverse("resources-meeting-share", args=["acme", meeting.group_id, meeting.pk])


def test_lists_what_the_group_shared_since_the_last_meeting(share, accepted, meetings, client):
    _, upcoming = meetings
    with time_machine.travel(EARLIER - timedelta(days=3), tick=False):
        share(accepted.member, title="Before the last meeting", group=accepted.group)
    with time_machine.travel(EARLIER + timedelta(days=5), tick=False):
        share(accepted.member, title="Group checklist", group=accepted.group)
        share(
            accepted.member2,
            title="Shared in group A for everyone",
            group=accepted.group,
            scope="organization",
        )
        share(accepted.other_member, title="Group B's own", group=accepted.other_group)
    with time_machine.travel(NEXT, tick=False):
        client.force_login(accepted.facilitator)
        response = client.get(url(upcoming), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Group checklist" in html and "Shared in group A for everyone" in html
    assert "Before the last meeting" not in html and "Group B's own" not in html
    assert "since the last meeting (12 Jan)" in html
    assert "<html" not in html  # a fragment, not a page


@time_machine.travel(NEXT, tick=False)
def test_add_a_resource_on_the_spot(accepted, meetings, client):
    _, upcoming = meetings
    client.force_login(accepted.facilitator)
    data = {
        "title": "Decision log template",
        "kind": "template",
        "summary": "Record each decision with its owner and date.",
        "url": "https://example.org/decision-log",
        "topics": ["operations"],
        "share_with": f"group:{accepted.group.pk}",
    }
    response = client.post(url(upcoming), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Decision log template" in response.content.decode()
    resource = Resource.objects.get()
    assert (resource.group, resource.scope, resource.shared_by) == (
        accepted.group,
        "group",
        accepted.facilitator,
    )
    # Without htmx the same form works as a page of its own.
    data["title"] = "Second"
    response = client.post(url(upcoming), data)
    assert response.status_code == 302 and response["Location"] == url(upcoming)


def test_errors_come_back_in_the_fragment(accepted, meetings, client):
    _, upcoming = meetings
    client.force_login(accepted.member)
    response = client.post(
        url(upcoming),
        {
            "title": "No link",
            "kind": "tool",
            "summary": "s",
            "topics": ["sales"],
            "share_with": f"group:{accepted.group.pk}",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422  # htmx swaps it in place (static/js/htmx-errors.js)
    assert "Add a link or attach a file." in response.content.decode()
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 403), ("other_member", 403), ("outsider", 404)]
)
def test_fragment_is_group_content(accepted, meetings, client, role, status):
    client.force_login(getattr(accepted, role))
    assert client.get(url(meetings[1])).status_code == status


def test_meeting_pages_load_the_fragment_with_htmx(accepted, meetings, client):
    _, upcoming = meetings
    client.force_login(accepted.facilitator)
    for name in ("meetings-run", "meetings-detail"):
        # The upcoming meeting is days ahead: its run of show is opened confirmed (?early=1).
        page = client.get(reverse(name, args=["acme", accepted.group.pk, upcoming.pk]) + "?early=1")
        assert f'hx-get="{url(upcoming)}"' in page.content.decode(), name
