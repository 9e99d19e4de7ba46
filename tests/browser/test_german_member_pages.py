"""A member who reads German walks their pages (issue 23, item 5): dashboard, group,
meeting, goals, resources, network, pulse and settings, each in German, with German
dates, and with no sentence of the English catalogue left on it; at desktop and phone
width (screenshots in var/screenshots/german-*.png)."""

import gettext
import re
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, expect

from conftest import PASSWORD
from peergroups.goals.services import commitment_make, goal_create
from peergroups.meetings import services as meetings
from peergroups.meetings.models import AgendaStep, ConfidentialityAgreement, Meeting
from peergroups.network.services import directory_entry_save
from peergroups.organizations.access import organization_access
from peergroups.resources.services import resource_share

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
CATALOGUE = Path(__file__).resolve().parents[2] / "locale/de/LC_MESSAGES/django.mo"
GERMAN_MONTH = "(Jan|Feb|Mär|Apr|Mai|Jun|Jul|Aug|Sep|Okt|Nov|Dez|Januar|Februar|März|April|Juni|Juli|August|September|Oktober|November|Dezember)"
GERMAN_DATE = re.compile(rf"\b\d{{1,2}}\. {GERMAN_MONTH}\b|\b{GERMAN_MONTH} \d{{4}}\b")
ENGLISH_DATE = re.compile(
    r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b|\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"
    r"|\b(January|February|March|May|June|July|October|December) \d{4}\b"
)


def english_sentences() -> set[str]:
    """The catalogue's English sentences (two words or more, no placeholder) whose German
    differs: none of them may be left on a German page."""
    with CATALOGUE.open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    found = set()
    for msgid, msgstr in catalog.items():
        text = msgid[0] if isinstance(msgid, tuple) else msgid
        if not text or "%" in text or "{" in text or "<" in text or "&" in text:
            continue
        if len(text.split()) >= 2 and msgstr != text:
            found.add(text)
    return found


@pytest.fixture
def german_member(cast):
    """Mia reads German in a German organization; her group meets every week from
    tomorrow, she accepted its agreement, has a goal and a commitment, shared a resource
    and is in the directory."""
    member = cast.member
    member.language = "de"
    member.save(update_fields=["language"])
    cast.organization.default_language = "de"
    cast.organization.save(update_fields=["default_language"])
    group = cast.group
    # The group's protocol and agreement as a group of a German organization gets them.
    AgendaStep.objects.filter(group=group).delete()
    ConfidentialityAgreement.objects.filter(group=group).delete()
    meetings.group_defaults_create(group=group)
    tomorrow = timezone.localdate() + timedelta(days=1)
    meetings.meeting_series_set(
        group=group,
        acting_user=cast.facilitator,
        frequency="weekly",
        weekday=tomorrow.weekday(),
        week_of_month=None,
        starts_on=tomorrow,
        start_time=time(9, 0),
        end_time=time(12, 0),
        time_zone="Europe/Berlin",
        location="Acme HQ, Raum 4",
        video_url="",
    )
    meetings.agreement_accept(agreement=meetings.agreement_current(group=group), user=member)
    access = organization_access(member, "acme")
    goal_create(
        organization=cast.organization,
        owner=member,
        group=None,
        title="Grow the team's revenue",
        measure="Revenue (k€)",
        baseline=Decimal("100"),
        target=Decimal("140"),
        due_on=date(timezone.localdate().year + 1, 6, 30),
    )
    commitment_make(group=group, member=member, text="Call three lost customers.")
    resource_share(
        user=member,
        access=access,
        kind="practice",
        title="Weekly one-on-one template",
        summary="How I run my one-on-ones.",
        topics=["hiring"],
        scope="organization",
        url="https://example.org/one-on-one",
    )
    directory_entry_save(user=member, access=access, listed=True, ask_me_about="Hiring")
    return cast


def test_a_german_member_walks_every_page_in_german(
    browser: Browser, live_server, german_member, screenshot
):
    cast = german_member
    base = live_server.url
    meeting = Meeting.objects.filter(group=cast.group).order_by("starts_at").first()
    sentences = english_sentences()
    pages = [
        # (name, url, German text that must show, whether the page shows a date)
        ("dashboard", reverse("organizations-dashboard", args=["acme"]), "Ihre Peer-Gruppe", False),
        ("group", reverse("groups-detail", args=["acme", cast.group.pk]), "Nächste Treffen", True),
        (
            "meeting",
            reverse("meetings-detail", args=["acme", cast.group.pk, meeting.pk]),
            "Tagesordnung",
            True,
        ),
        ("goals", reverse("goals-dashboard", args=["acme"]), "Meine Ziele und Zusagen", True),
        ("resources", reverse("resources-library", args=["acme"]), "Ressourcen", False),
        ("network", reverse("network-directory", args=["acme"]), "Verzeichnis", False),
        ("pulse", reverse("outcomes-pulse", args=["acme"]), "Ihre Pulsbefragung für", True),
        ("settings", reverse("accounts-language"), "Sprache der Seiten und E-Mails", False),
    ]
    for width, viewport in WIDTHS.items():
        page = browser.new_context(viewport=viewport, locale="en-US").new_page()
        page.goto(base + reverse("login"))  # a visitor: the browser's English
        page.get_by_label("E-mail address").fill(cast.member.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        # Signed in, Mia's own language wins over the browser's.
        expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
        for name, url, german, dated in pages:
            page.goto(base + url)
            expect(page.locator("html")).to_have_attribute("lang", "de")
            expect(page.get_by_text(german, exact=False).first).to_be_visible()
            text = page.locator("body").inner_text()
            left = sorted(sentence for sentence in sentences if sentence in text)
            assert not left, f"{name}: English left on the page: {left}"
            assert not ENGLISH_DATE.search(text), f"{name}: {ENGLISH_DATE.search(text).group()}"
            if dated:
                assert GERMAN_DATE.search(text), f"{name}: no German date on the page"
            if name == "pulse":
                # The longest choice of a scale keeps to one line, on a phone too.
                choice = page.locator("label.checkbox", has_text="Kein Treffen").first
                digit = page.locator(".choices.scale label.checkbox", has_text="7").first
                assert choice.bounding_box()["height"] <= 1.5 * digit.bounding_box()["height"]
            screenshot(page, f"german-{name}-{width}")
        page.context.close()
