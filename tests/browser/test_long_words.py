"""Long words and links wrap on every page (issue 20, item 6).

A 500-character unbroken string goes into each kind of text people type (or the
longest the field holds, where that is less): names of the organization, people,
programs and groups, issues, meetings, goals, commitments, resources and their links,
questions, intake answers, facilitator applications, list values. Then every page an
admin, member or facilitator can open is loaded at phone (390 px) and desktop
(1280 px) width: none may scroll sideways, and chart labels are at least 11 px high.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from tests.browser.test_operations_flow import WIDTHS, signed_in
from tests.test_access_matrix import MATRIX, build_world, resolve_kwargs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Pages that are files, feeds or other hosts' pages, not pages a person reads.
NOT_PAGES = ("export", "calendar", "feed", "ics", "csv", "download", "file", "readyz", "healthz")
ROLE_ORDER = ("admin", "member", "facilitator")


def unbroken(length: int) -> str:
    return ("Unbrokenwordwithoutanyspace" * 40)[:length]


def link(length: int) -> str:
    return ("https://intranet.example.com/" + "a-very-long-path-segment/" * 40)[:length]


def each(model, **lengths) -> None:
    """Give every row its own long value (names are unique in their program)."""
    for pk in model.objects.values_list("pk", flat=True):
        model.objects.filter(pk=pk).update(
            **{name: unbroken(n - len(str(pk))) + str(pk) for name, n in lengths.items()}
        )


def fill_with_long_words(world) -> None:
    from peergroups.accounts.models import User
    from peergroups.goals.models import Commitment, KeyGoal
    from peergroups.groups.models import PeerGroup
    from peergroups.meetings.models import Issue, Meeting
    from peergroups.network.models import Answer, DirectoryEntry, Question
    from peergroups.organizations.models import Organization, Program
    from peergroups.people.models import Category, FacilitatorProfile, MemberProfile
    from peergroups.resources.models import Resource

    cast = world["cast"]
    Organization.objects.filter(pk=cast.organization.pk).update(name=unbroken(200))
    User.objects.all().update(full_name=unbroken(150))
    MemberProfile.objects.all().update(sort_name=unbroken(150))
    each(Program, name=200, description=500)
    each(PeerGroup, name=120)
    Meeting.objects.all().update(location=unbroken(200), video_url=link(200))
    Issue.objects.all().update(title=unbroken(160), situation=unbroken(500), ask=link(500))
    KeyGoal.objects.all().update(title=unbroken(160), measure=unbroken(120))
    Commitment.objects.all().update(text=unbroken(500))
    Resource.objects.all().update(title=unbroken(160), summary=unbroken(500), url=link(500))
    Question.objects.all().update(title=unbroken(160), body=unbroken(500))
    Answer.objects.all().update(body=unbroken(500))
    DirectoryEntry.objects.all().update(ask_me_about=unbroken(200), role_line=unbroken(200))
    MemberProfile.objects.all().update(
        company=unbroken(200),
        challenges=unbroken(500),
        goals=unbroken(500),
        region=unbroken(100),
        industry=unbroken(100),
        function=unbroken(100),
    )
    FacilitatorProfile.objects.all().update(
        bio=unbroken(500), business_description=unbroken(500), coach_training=unbroken(200)
    )
    Category.objects.create(organization=cast.organization, kind="region", label=unbroken(100))


def pages(world) -> list[tuple[str, str]]:
    """(role, url) for every page some role of the cast may open."""
    found = []
    for (name, method), (kwargs, expected, *_data) in sorted(MATRIX.items()):
        if method != "get" or name.startswith("api:") or any(w in name for w in NOT_PAGES):
            continue
        role = next((r for r in ROLE_ORDER if expected.get(r) == 200), None)
        if role is None:
            continue
        url = reverse(name, kwargs=resolve_kwargs(kwargs, world))
        if any(w in url for w in NOT_PAGES):
            continue
        found.append((role, url))
    return found


SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# The smallest chart text as drawn: its font size times the SVG's scale on screen.
SMALLEST_CHART_TEXT = """() => {
  const sizes = Array.from(document.querySelectorAll('svg text'))
    .filter(t => t.textContent.trim() && t.getScreenCTM())
    .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
  return sizes.length ? Math.min(...sizes) : null;
}"""


def test_no_page_scrolls_sideways_with_long_words(
    browser: Browser, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    world = build_world()
    fill_with_long_words(world)
    cast = world["cast"]
    problems = []
    checked = 0
    for width in ("phone", "desktop"):
        tabs = {
            role: signed_in(browser, live_server, getattr(cast, role), WIDTHS[width])
            for role in ROLE_ORDER
        }
        for role, url in pages(world):
            tab = tabs[role]
            response = tab.goto(live_server.url + url)
            if response is None or response.status != 200:
                continue
            if "text/html" not in (response.headers.get("content-type") or ""):
                continue
            checked += 1
            wider = tab.evaluate(SIDEWAYS)
            if wider > 0:
                problems.append(f"{url} as {role} at {width}: {wider}px wider than the screen")
            smallest = tab.evaluate(SMALLEST_CHART_TEXT)
            if smallest is not None and smallest < 11:
                problems.append(f"{url} at {width}: chart text {smallest:.1f}px high")
        for tab in tabs.values():
            tab.context.close()
    assert checked > 40
    assert not problems, "\n".join(problems)


def test_a_file_over_the_limit_is_refused_in_the_form_and_nothing_typed_is_lost(
    browser: Browser, live_server, cast
):
    """Issue 20: a 20 MB upload got a bare 413 page and lost the title and summary."""
    from peergroups.resources.services import file_max_bytes, size_in_words

    limit = file_max_bytes()
    page = signed_in(browser, live_server, cast.member, WIDTHS["desktop"])
    page.goto(live_server.url + reverse("resources-share", args=["acme"]))
    expect(page.get_by_text(f"up to {size_in_words(limit)}")).to_be_visible()  # said first
    page.get_by_label("Title").fill("Quarterly review deck")
    page.get_by_label("Summary").fill("The deck we used for the Q3 review.")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.get_by_label("Or attach a file").set_input_files(
        files=[
            {"name": "deck.pdf", "mimeType": "application/pdf", "buffer": b"%" * (limit + 2**20)}
        ]
    )
    too_big = f"“deck.pdf” is {size_in_words(limit + 2**20)}; the limit is {size_in_words(limit)}"
    expect(page.get_by_role("alert")).to_contain_text(too_big)
    page.get_by_role("button", name=re.compile("Share")).click()
    expect(page.get_by_role("alert")).to_contain_text(f"the limit is {size_in_words(limit)}")
    assert posts == []  # nothing sent: the server would refuse it unread
    expect(page.get_by_label("Title")).to_have_value("Quarterly review deck")
    expect(page.get_by_label("Summary")).to_have_value("The deck we used for the Q3 review.")
