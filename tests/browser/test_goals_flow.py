"""A commitment made in the run-of-show, checked in from the reminder e-mail's link
without signing in, and the member's completion rate updated on their dashboard."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Browser, expect

from peergroups.goals.models import Commitment, CommitmentCheckIn
from peergroups.meetings import services
from peergroups.meetings.models import Meeting

from .test_meeting_flow import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Future dates, so session cookies set under the travelled clock are not already expired.
MEETING = datetime(2027, 3, 2, 13, tzinfo=UTC)
NEXT_MEETING = datetime(2027, 4, 6, 13, tzinfo=UTC)
DUE_DAY_MORNING = datetime(2027, 4, 6, 8, tzinfo=UTC)


def test_commitment_checked_in_from_the_e_mail_updates_the_dashboard(
    browser: Browser, live_server, cast, run_tasks, screenshot
):
    group = cast.group
    for starts in (MEETING, NEXT_MEETING):
        Meeting.objects.create(group=group, starts_at=starts, ends_at=starts + timedelta(hours=4))
    meeting = Meeting.objects.order_by("starts_at").first()
    agreement = services.agreement_current(group=group)
    services.agreement_accept(agreement=agreement, user=cast.member)
    base = live_server.url

    with time_machine.travel(MEETING + timedelta(hours=1), tick=True) as clock:
        # Fran records Mia's commitment during the meeting; it is due at the next one.
        fran = signed_in(browser, live_server, cast.facilitator)
        fran.goto(base + reverse("meetings-run", args=["acme", group.pk, meeting.pk]))
        fran.get_by_label("Presenter", exact=True).select_option(label="Mia Member")
        fran.get_by_label("Commitment", exact=True).fill("Call three lost customers.")
        fran.get_by_role("button", name="Record commitment").click()
        expect(fran.get_by_text("Commitment recorded.")).to_be_visible()
        commitment = Commitment.objects.get()
        assert commitment.due_on == date(2027, 4, 6)

        # On the due date the reminder task e-mails Mia a one-click check-in link.
        clock.move_to(DUE_DAY_MORNING)
        call_command("send_goal_reminders")
        run_tasks()
        (message,) = mail.outbox
        assert message.to == [cast.member.email]
        link = re.search(r"http://\S+/check-in/\S+/\?status=done", message.body).group(0)
        link = link.replace("http://127.0.0.1:8000", base)

        # She opens it without signing in and records "done".
        anonymous = browser.new_context().new_page()
        anonymous.goto(link)
        expect(anonymous.get_by_text("Call three lost customers.")).to_be_visible()
        expect(anonymous.get_by_label("Done", exact=True)).to_be_checked()
        anonymous.get_by_label("Note").fill("Two of them are back.")
        anonymous.get_by_role("button", name="Record my check-in").click()
        expect(anonymous.get_by_role("heading", name="Thank you — checked in")).to_be_visible()
        assert CommitmentCheckIn.objects.get().status == "done"
        anonymous.reload()  # resubmitting the form: the link is used up
        expect(anonymous.get_by_text("used already")).to_be_visible()

        # Signed in, Mia sees her completion rate.
        mia = signed_in(browser, live_server, cast.member)
        mia.goto(base + reverse("goals-dashboard", args=["acme"]))
        expect(mia.locator("#completion-rate")).to_have_text("100 %")
        expect(mia.get_by_role("img", name=re.compile("Commitments kept by month"))).to_be_visible()
        screenshot(mia, "goals-dashboard")
