"""The run-of-show page asks before running a meeting early and warns before closing
with issues that were not marked processed."""

from datetime import timedelta

from django.urls import reverse

from peergroups.meetings import services
from peergroups.meetings.models import IssueStatus
from peergroups.meetings.tests.conftest import issue_for


def run_url(meeting):
    return reverse("meetings-run", args=["acme", meeting.group_id, meeting.pk])


def test_running_a_meeting_before_its_day_asks_first(client, meeting):
    client.force_login(meeting.group.facilitator)
    page = client.get(run_url(meeting)).content.decode()  # 1 Jan; the meeting is 12 Jan
    assert "This meeting is not today" in page and 'href="?early=1"' in page
    assert 'value="close"' not in page
    confirmed = client.get(run_url(meeting) + "?early=1").content.decode()
    assert "Run of show" in confirmed and "before its day" in confirmed
    # After an action the page stays confirmed.
    response = client.post(run_url(meeting) + "?early=1", {"action": "step", "step": "1"})
    assert response["Location"].endswith("?early=1#step")


def test_on_the_day_the_page_opens_directly(client, meeting, frozen):
    frozen.move_to(meeting.starts_at - timedelta(hours=1))
    client.force_login(meeting.group.facilitator)
    page = client.get(run_url(meeting)).content.decode()
    assert "Run of show" in page and "This meeting is not today" not in page


def test_closing_warns_about_unprocessed_issues(client, scheduled, meeting):
    done, waiting = issue_for(scheduled, title="Done"), issue_for(scheduled, title="Waiting")
    services.agenda_issues_pick(
        meeting=meeting, issues=[done, waiting], acting_user=scheduled.facilitator
    )
    services.issue_mark_processed(meeting=meeting, issue=done, acting_user=scheduled.facilitator)
    client.force_login(scheduled.facilitator)
    page = client.get(run_url(meeting) + "?early=1").content.decode()
    assert "1 issue on the agenda is not marked processed: “Waiting”" in page
    assert 'name="carry_over" value="1" required' in page
    waiting.refresh_from_db()
    assert waiting.status == IssueStatus.SCHEDULED


def test_no_warning_when_everything_was_processed(client, scheduled, meeting):
    client.force_login(scheduled.facilitator)
    page = client.get(run_url(meeting) + "?early=1").content.decode()
    assert "not marked processed" not in page and "carry_over" not in page
