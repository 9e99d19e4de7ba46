"""Members bring issues and vote; the queue orders them; the facilitator builds the agenda."""

from django.urls import reverse

from peergroups.meetings import selectors, services
from peergroups.meetings.models import Issue, IssueStatus, IssueVote
from peergroups.organizations.access import organization_access

from .conftest import issue_for


def queue_titles(cast, user) -> list[str]:
    ctx = selectors.group_content_for_user(
        user=user, access=organization_access(user, "acme"), group_id=cast.group.pk
    )
    return [issue.title for issue in selectors.issue_queue(ctx=ctx)]


def test_member_submits_an_issue(client, accepted):
    client.force_login(accepted.member)
    response = client.post(
        reverse("meetings-issue-create", args=["acme", accepted.group.pk]),
        {
            "title": "A co-founder who stopped showing up",
            "category": "leading-change",
            "situation": "He owns 30 % and does not come in.",
            "ask": "How did you handle a partner like this?",
            "urgency": "3",
        },
    )
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert (issue.author, issue.status, issue.urgency) == (accepted.member, IssueStatus.OPEN, 3)


def test_issue_form_with_errors_keeps_what_was_typed(client, accepted):
    client.force_login(accepted.member)
    response = client.post(
        reverse("meetings-issue-create", args=["acme", accepted.group.pk]),
        {"title": "Pricing our new tier", "category": "marketing", "situation": "", "ask": ""},
    )
    assert response.status_code == 422
    assert "Please correct the fields" in response.text
    assert 'value="Pricing our new tier"' in response.text
    assert not Issue.objects.exists()


def test_facilitator_does_not_submit_issues(client, accepted):
    client.force_login(accepted.facilitator)
    url = reverse("meetings-issue-create", args=["acme", accepted.group.pk])
    assert client.get(url).status_code == 403


def test_a_member_votes_once_however_often_they_click(client, accepted):
    issue = issue_for(accepted)
    client.force_login(accepted.member2)
    url = reverse("meetings-issue-vote", args=["acme", accepted.group.pk, issue.pk])
    client.post(url, {"vote": "1"})
    client.post(url, {"vote": "1"})
    assert IssueVote.objects.filter(issue=issue).count() == 1
    client.post(url, {"vote": "0"})
    assert IssueVote.objects.filter(issue=issue).count() == 0


def test_vote_by_htmx_returns_the_updated_button(client, accepted):
    issue = issue_for(accepted)
    client.force_login(accepted.member2)
    response = client.post(
        reverse("meetings-issue-vote", args=["acme", accepted.group.pk, issue.pk]),
        {"vote": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'id="vote-{issue.pk}"' in response.text
    assert "Remove my vote" in response.text
    assert "<html" not in response.text


def test_queue_orders_by_votes_then_urgency(accepted):
    low = issue_for(accepted, title="Low, two votes", urgency=1)
    high = issue_for(accepted, title="Urgent, one vote", urgency=3)
    issue_for(accepted, title="Medium, one vote", urgency=2)
    issue_for(accepted, title="Urgent, no votes", urgency=3)
    for voter in (accepted.member, accepted.member2):
        services.issue_vote_set(issue=low, voter=voter, vote=True)
    services.issue_vote_set(issue=high, voter=accepted.member, vote=True)
    medium = Issue.objects.get(title="Medium, one vote")
    services.issue_vote_set(issue=medium, voter=accepted.member2, vote=True)
    assert queue_titles(accepted, accepted.member) == [
        "Low, two votes",
        "Urgent, one vote",
        "Medium, one vote",
        "Urgent, no votes",
    ]


def test_facilitator_picks_what_goes_on_the_agenda(client, scheduled, meeting):
    first, second, third = (issue_for(scheduled, title=t) for t in ("One", "Two", "Three"))
    client.force_login(scheduled.facilitator)
    url = reverse("meetings-agenda-pick", args=["acme", scheduled.group.pk, meeting.pk])
    client.post(url, {"issues": [first.pk, second.pk]})
    assert set(meeting.issues.values_list("title", flat=True)) == {"One", "Two"}
    client.post(url, {"issues": [second.pk, third.pk]})
    first.refresh_from_db()
    assert (first.status, first.meeting) == (IssueStatus.OPEN, None)
    assert set(meeting.issues.values_list("title", flat=True)) == {"Two", "Three"}
    page = client.get(meeting.get_absolute_url())
    assert "Two" in page.text and "Three" in page.text


def test_member_cannot_pick_the_agenda(client, scheduled, meeting):
    issue = issue_for(scheduled)
    client.force_login(scheduled.member)
    url = reverse("meetings-agenda-pick", args=["acme", scheduled.group.pk, meeting.pk])
    assert client.post(url, {"issues": [issue.pk]}).status_code == 403


def test_unprocessed_issues_carry_over_to_the_next_meeting(client, scheduled, meeting):
    done, waiting = issue_for(scheduled, title="Done"), issue_for(scheduled, title="Waiting")
    services.issue_vote_set(issue=waiting, voter=scheduled.member2, vote=True)
    services.agenda_issues_pick(
        meeting=meeting, issues=[done, waiting], acting_user=scheduled.facilitator
    )
    client.force_login(scheduled.facilitator)
    run = reverse("meetings-run", args=["acme", scheduled.group.pk, meeting.pk])
    client.post(run, {"action": "issue-done", "issue": done.pk})
    response = client.post(run, {"action": "close"})
    assert response.status_code == 302
    done.refresh_from_db()
    waiting.refresh_from_db()
    assert (done.status, done.meeting) == (IssueStatus.PROCESSED, meeting)
    assert (waiting.status, waiting.meeting) == (IssueStatus.OPEN, None)
    assert waiting.votes.count() == 1  # the votes carry over too
    assert queue_titles(scheduled, scheduled.member) == ["Waiting"]
    following = meeting.group.meetings.order_by("starts_at")[1]
    page = client.get(following.get_absolute_url())
    assert "Waiting" in page.text  # offered for the next meeting's agenda
