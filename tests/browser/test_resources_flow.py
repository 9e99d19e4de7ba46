"""A facilitator shares a resource during a meeting; a member of another group finds it
by searching as they type (with a typo); that member asks the network, a peer answers.

Screenshots at desktop and phone width go to var/screenshots/resources-*.png.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, expect

from conftest import PASSWORD
from peergroups.meetings.models import Meeting
from peergroups.network import services as network
from peergroups.network.models import Answer
from peergroups.organizations.access import organization_access
from peergroups.resources.models import Resource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def signed_in(browser: Browser, live_server, user, viewport=DESKTOP):
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def both_widths(page, screenshot, name):
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"resources-{name}-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, f"resources-{name}-phone")
    page.set_viewport_size(DESKTOP)


def test_share_in_meeting_find_by_search_ask_and_answer(
    browser: Browser, live_server, cast, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    starts = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    meeting = Meeting.objects.create(
        group=cast.group, starts_at=starts, ends_at=starts + timedelta(hours=4)
    )
    # Max (Group A) is in the directory and happy to be asked about hiring.
    network.directory_entry_save(
        user=cast.member2,
        access=organization_access(cast.member2, "acme"),
        listed=True,
        ask_me_about="Hiring engineers fast",
        ask_me_about_topics=["hiring"],
    )
    base = live_server.url

    # Fran runs the meeting; the resource share step loads with htmx and takes a new one.
    fran = signed_in(browser, live_server, cast.facilitator)
    # The meeting is tomorrow: running it today is confirmed up front (?early=1).
    fran.goto(base + reverse("meetings-run", args=["acme", cast.group.pk, meeting.pk]) + "?early=1")
    share = fran.locator("#resource-share")
    expect(share.get_by_text("Nothing shared yet.")).to_be_visible()
    share.get_by_text("Add a resource now").click()
    share.get_by_label("Title").fill("Decision log template")
    share.get_by_label("What is it?").select_option("template")
    share.get_by_label("Summary").fill("One line per decision: what, who owns it, by when, why.")
    share.get_by_label("Operations").check()
    share.get_by_label("The whole organization").check()
    # No link and no file: the form comes back with its error (a 422, swapped in place by
    # htmx: static/js/htmx-errors.js), keeping what was typed.
    share.get_by_role("button", name="Share with the group").click()
    share = fran.locator("#resource-share")
    expect(share.get_by_text("Add a link or attach a file.")).to_be_visible()
    expect(share.get_by_label("Title")).to_have_value("Decision log template")
    share.get_by_label("Link").fill("https://example.org/decision-log")
    share.get_by_role("button", name="Share with the group").click()
    expect(
        fran.locator("#resource-share").get_by_role("link", name="Decision log template")
    ).to_be_visible()
    fran.locator("#share").scroll_into_view_if_needed()
    both_widths(fran, screenshot, "meeting-share")
    resource = Resource.objects.get()
    assert (resource.group, resource.scope) == (cast.group, "organization")

    # Oli, in Group B, finds it while typing, with a typo.
    oli = signed_in(browser, live_server, cast.other_member)
    oli.get_by_role("navigation", name="Main").get_by_role("link", name="Resources").click()
    oli.get_by_label("Search").press_sequentially("decison lo", delay=40)
    result = oli.locator("#results").get_by_role("link", name="Decision log template")
    expect(result).to_be_visible()
    expect(oli.locator("#result-count")).to_contain_text("showing matches for “decision lo”")
    both_widths(oli, screenshot, "search")
    result.click()
    oli.get_by_role("button", name="This was useful").click()
    expect(oli.get_by_role("button", name="Take back “useful”")).to_be_visible()

    # Oli asks the network; the routing proposes Max, ticked.
    oli.get_by_role("navigation", name="Main").get_by_role("link", name="Questions").click()
    oli.get_by_role("link", name="Ask the network").click()
    oli.get_by_label("Your question").fill("How do you hire two engineers in a month?")
    oli.get_by_label("Context").fill("Our first two offers were declined.")
    oli.get_by_label("Hiring").check()
    oli.get_by_label("Ask anonymously").check()
    oli.get_by_role("button", name="Find who to ask").click()
    expect(oli.get_by_label("Max Member")).to_be_checked()
    both_widths(oli, screenshot, "ask")
    oli.get_by_role("button", name="Send the question").click()
    expect(oli.get_by_text("Sent to 1 peer.")).to_be_visible()
    question_url = oli.url

    # Max answers; he does not see who asked.
    max_ = signed_in(browser, live_server, cast.member2)
    max_.goto(base + reverse("network-questions", args=["acme"]))
    max_.get_by_role("link", name="How do you hire two engineers in a month?").click()
    expect(max_.get_by_text("Asked by A peer (anonymous)")).to_be_visible()
    max_.get_by_label("Your answer").fill("Call back the two who declined and ask why.")
    max_.get_by_role("button", name="Send my answer").click()
    expect(max_.get_by_text("your answer is on its way")).to_be_visible()

    oli.goto(question_url)
    expect(oli.get_by_text("Call back the two who declined and ask why.")).to_be_visible()
    both_widths(oli, screenshot, "answered")
    assert Answer.objects.get().author == cast.member2
