"""A member brings an issue, another votes for it, the facilitator runs the meeting."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, expect

from conftest import PASSWORD
from peergroups.goals.models import Commitment
from peergroups.meetings import services
from peergroups.meetings.models import Attendance, Issue, IssueStatus, Meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(browser: Browser, live_server, user):
    page = browser.new_context().new_page()
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def test_issue_vote_and_run_of_show(browser: Browser, live_server, cast, screenshot):
    group = cast.group
    starts = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    meeting = Meeting.objects.create(
        group=group, starts_at=starts, ends_at=starts + timedelta(hours=4)
    )
    base = live_server.url

    # Mia accepts the agreement on her first visit, then brings an issue.
    mia = signed_in(browser, live_server, cast.member)
    mia.goto(base + reverse("meetings-issues", args=["acme", group.pk]))
    expect(mia.get_by_role("heading", name="Confidentiality agreement")).to_be_visible()
    mia.get_by_role("button", name="I accept this agreement").click()
    mia.goto(base + reverse("meetings-issue-create", args=["acme", group.pk]))
    mia.get_by_label("Title").fill("Promote from within or hire the star?")
    mia.get_by_label("Category").select_option("hiring")
    mia.get_by_label("The situation").fill("Two internal candidates and one external star.")
    mia.get_by_label("What you want from the group").fill("Experiences with passing someone over.")
    mia.get_by_label("How urgent is it?").select_option("3")
    mia.get_by_role("button", name="Submit issue").click()
    expect(mia.get_by_role("link", name="Promote from within or hire the star?")).to_be_visible()

    # Max votes for it; htmx swaps the button in place.
    services.agreement_accept(agreement=services.agreement_current(group=group), user=cast.member2)
    max_ = signed_in(browser, live_server, cast.member2)
    max_.goto(base + reverse("meetings-issues", args=["acme", group.pk]))
    max_.get_by_role("button", name="Vote for “Promote from within or hire the star?”").click()
    expect(max_.get_by_role("button", name="Remove my vote")).to_be_visible()
    expect(max_.locator(".vote-count").first).to_have_text("1")
    issue = Issue.objects.get()
    assert issue.votes.count() == 1

    # Fran puts it on the agenda and runs the meeting.
    fran = signed_in(browser, live_server, cast.facilitator)
    fran.goto(base + meeting.get_absolute_url())
    fran.get_by_label("Promote from within or hire the star?").check()
    fran.get_by_role("button", name="Save the agenda").click()
    expect(fran.get_by_text("1 issue on the agenda.")).to_be_visible()
    fran.get_by_role("link", name="Run this meeting").click()
    # The meeting is two days ahead: the page asks before running it early.
    expect(fran.get_by_role("heading", name="This meeting is not today")).to_be_visible()
    fran.get_by_role("link", name="Run it now anyway").click()
    expect(fran.get_by_role("heading", name="Run of show")).to_be_visible()
    fran.get_by_role("button", name="Start “Promote from within or hire the star?”").click()
    expect(
        fran.get_by_role("heading", name="Promote from within or hire the star?")
    ).to_be_visible()

    fran.get_by_label("Kind of note").select_option("clarifying")
    fran.get_by_label("Note", exact=True).fill("Has the star said yes yet?")
    fran.get_by_role("button", name="Add note").click()
    expect(fran.get_by_text("Has the star said yes yet?")).to_be_visible()

    expect(fran.get_by_label("Presenter", exact=True)).to_have_value(str(cast.member.pk))
    fran.get_by_label("Commitment", exact=True).fill("Talk to both internal candidates this week.")
    fran.get_by_role("button", name="Record commitment").click()
    expect(fran.get_by_text("Commitment recorded.")).to_be_visible()

    fran.get_by_label("Mia Member", exact=True).select_option("present")
    fran.get_by_label("Max Member", exact=True).select_option("excused")
    fran.get_by_role("button", name="Save attendance").click()
    expect(fran.get_by_text("Attendance recorded.")).to_be_visible()
    screenshot(fran, "meeting-run-of-show")

    fran.get_by_role(
        "button", name="Mark “Promote from within or hire the star?” processed"
    ).click()
    expect(fran.get_by_text("processed.")).to_be_visible()

    commitment = Commitment.objects.get()
    assert (commitment.member, commitment.issue) == (cast.member, issue)
    assert dict(Attendance.objects.values_list("member__email", "status")) == {
        "mia@acme.test": "present",
        "max@acme.test": "excused",
    }
    issue.refresh_from_db()
    assert issue.status == IssueStatus.PROCESSED
