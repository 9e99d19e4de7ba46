"""The monthly pulse answered from the e-mail's link without signing in, seen on the
member's chart, and the program outcomes chart as an admin; at desktop and phone width."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Browser, expect

from conftest import PASSWORD
from peergroups.outcomes import services
from peergroups.outcomes.models import Pulse
from peergroups.outcomes.tests.conftest import add_members, answered_pulse, answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Future dates, so session cookies set under the travelled clock are not already expired.
PULSE_DAY = datetime(2027, 6, 1, 12, tzinfo=UTC)
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def signed_in(browser: Browser, live_server, user, viewport):
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def test_pulse_from_the_e_mail_shows_on_the_chart_and_in_program_outcomes(
    browser: Browser, live_server, cast, run_tasks, screenshot
):
    base = live_server.url
    others = [cast.member2, *add_members(cast, 5)]
    with time_machine.travel(PULSE_DAY, tick=True):
        for person in [cast.member, *others]:
            services.baseline_record(
                organization=cast.organization,
                user=person,
                answers=answers(hours_per_week=60, productivity=3),
            )
        for month in (date(2027, 4, 1), date(2027, 5, 1)):
            answered_pulse(cast, cast.member, month, hours_per_week=58 if month.month == 4 else 56)
        for i, person in enumerate(others):
            answered_pulse(
                cast, person, date(2027, 5, 1), productivity=4 + i % 3, hours_per_week=54
            )

        # 09:00 UTC on the 1st has passed: the hourly job e-mails this month's pulse.
        call_command("send_pulses")
        run_tasks()
        message = next(m for m in mail.outbox if m.to == [cast.member.email])
        link = re.search(r"http://\S+/pulse/\S+/", message.body).group(0)
        link = link.replace("http://127.0.0.1:8000", base)

        # Mia answers from the link without signing in.
        anonymous = browser.new_context(viewport=WIDTHS["phone"]).new_page()
        anonymous.goto(link)
        expect(anonymous.get_by_role("heading", name="Your pulse for June 2027")).to_be_visible()
        screenshot(anonymous, "outcomes-pulse-link-phone")
        anonymous.get_by_label("Hours worked per week").fill("50")
        anonymous.get_by_role("group", name="Productivity").get_by_label("6").check()
        anonymous.get_by_role("group", name="Your unit's profit margin is going").get_by_label(
            "Up"
        ).check()
        anonymous.get_by_role("group", name="Confidence on your key goals").get_by_label(
            "6"
        ).check()
        anonymous.get_by_role("group", name="Value of last month's meeting").get_by_label(
            "7"
        ).check()
        anonymous.get_by_label("A private note (optional)").fill("A calmer month.")
        anonymous.get_by_role("button", name="Send my pulse").click()
        expect(anonymous.get_by_role("heading", name="Thank you — pulse recorded")).to_be_visible()
        pulse = Pulse.objects.get(user=cast.member, month=date(2027, 6, 1))
        assert (pulse.hours_per_week, pulse.productivity, pulse.note) == (50, 6, "A calmer month.")

        # Signed in, she sees June on her chart against her baseline.
        for width, viewport in WIDTHS.items():
            mia = signed_in(browser, live_server, cast.member, viewport)
            mia.goto(base + reverse("outcomes-member", args=["acme"]))
            chart = mia.get_by_role("img", name=re.compile("Hours worked per week"))
            expect(chart).to_be_visible()
            expect(chart).to_have_accessible_name(
                re.compile(r"Baseline: 60 h\. .*Apr: 58 h; May: 56 h; Jun: 50 h")
            )
            screenshot(mia, f"outcomes-member-{width}")

    # The admin sees the program's change since baseline, never Mia's note: once June
    # is over (the time rule: an open month is never shown).
    with time_machine.travel(datetime(2027, 7, 2, 12, tzinfo=UTC), tick=True):
        for width, viewport in WIDTHS.items():
            ada = signed_in(browser, live_server, cast.admin, viewport)
            ada.goto(base + reverse("outcomes-program", args=["acme"]))
            chart = ada.get_by_role("img", name=re.compile("Productivity"))
            expect(chart).to_be_visible()
            expect(chart).to_have_accessible_name(re.compile(r"Leaders 2027: \d"))
            assert "A calmer month." not in ada.content()
            screenshot(ada, f"outcomes-program-{width}")
