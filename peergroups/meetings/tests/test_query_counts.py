"""List pages run a bounded number of queries, whatever the amount of data."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peergroups.meetings import services
from peergroups.meetings.models import AttendanceStatus, Meeting

from .conftest import issue_for


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def add_content(cast, meeting, n: int) -> None:
    for i in range(n):
        author = cast.member if i % 2 else cast.member2
        issue = issue_for(cast, author=author, title=f"Issue {i}-{author.pk}")
        services.issue_vote_set(issue=issue, voter=cast.member, vote=True)
        services.issue_vote_set(issue=issue, voter=cast.member2, vote=True)
        if i % 2:
            services.agenda_issues_pick(
                meeting=meeting,
                issues=[issue, *meeting.issues.all()],
                acting_user=cast.facilitator,
            )
        services.meeting_note_add(
            meeting=meeting, author=cast.member, kind="general", text=f"note {i}", issue=issue
        )


@pytest.mark.parametrize(
    ("name", "user"),
    [
        ("meetings-issues", "member"),
        ("meetings-list", "member"),
        ("meetings-detail", "facilitator"),
        ("meetings-run", "facilitator"),
        ("meetings-issue-detail", "member"),
        ("meetings-insights", "admin"),
        ("meetings-calendar", "member"),
    ],
)
def test_page_queries_do_not_grow_with_data(
    client, scheduled, meeting, name, user, django_assert_max_num_queries
):
    services.attendance_record(
        meeting=meeting,
        statuses={scheduled.member.pk: AttendanceStatus.PRESENT},
        acting_user=scheduled.facilitator,
    )
    add_content(scheduled, meeting, 2)
    first_issue = meeting.group.issues.order_by("pk").first()
    kwargs = {
        "meetings-issues": ["acme", scheduled.group.pk],
        "meetings-list": ["acme", scheduled.group.pk],
        "meetings-detail": ["acme", scheduled.group.pk, meeting.pk],
        "meetings-run": ["acme", scheduled.group.pk, meeting.pk],
        "meetings-issue-detail": ["acme", scheduled.group.pk, first_issue.pk],
        "meetings-insights": ["acme"],
        "meetings-calendar": ["acme"],
    }[name]
    url = reverse(name, args=kwargs)
    client.force_login(getattr(scheduled, user))
    client.get(url)  # warm up: session, the default agenda protocol
    small = queries(client, url)
    add_content(scheduled, meeting, 12)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200


def test_feed_queries_do_not_grow_with_meetings(client, scheduled, django_assert_max_num_queries):
    client.force_login(scheduled.member)
    response = client.post(reverse("meetings-calendar", args=["acme"]), {"action": "regenerate"})
    url = response.context["feed_url"]
    client.logout()
    small = queries(client, url)
    meeting_start = scheduled.group.meetings.order_by("starts_at").first().starts_at
    for day in range(1, 11):  # ad-hoc extra meetings
        start = meeting_start + timedelta(days=day)
        Meeting.objects.create(
            group=scheduled.group, starts_at=start, ends_at=start + timedelta(hours=2)
        )
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.content.count(b"BEGIN:VEVENT") == 22
