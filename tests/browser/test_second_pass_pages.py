"""The second-pass pages in a browser: editing a program, the intake's people search
(with and without JavaScript), the roster download from its program page, and the
pick-lists page. Each page is photographed at desktop and phone width
(var/screenshots/<page>[-phone].png) and checked for sideways scrolling on a phone."""

import csv
import io

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD
from peergroups.organizations.models import Program
from peergroups.people.models import Category, MemberProfile
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_operations_flow import WIDTHS, schedule, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_phone(page: Page) -> None:
    """Nothing wider than the screen: a phone never scrolls a page sideways."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the phone"


def on_phone(browser, live_server, user, url, screenshot, name, **context):
    phone = signed_in(browser, live_server, user, WIDTHS["phone"])
    phone.goto(live_server.url + url)
    fits_the_phone(phone)
    screenshot(phone, f"{name}-phone")
    return phone


def test_admin_edits_a_program(browser: Browser, live_server, cast, screenshot):
    page = signed_in(browser, live_server, cast.admin)
    page.goto(live_server.url + cast.program.get_absolute_url())
    page.get_by_role("link", name="Edit program").click()
    expect(page.get_by_role("heading", name="Edit Leaders 2027")).to_be_visible()
    screenshot(page, "program-edit")
    page.get_by_label("Name").fill("Leaders 2027 · Spring")
    page.get_by_label("Groups meet").select_option("quarterly")
    page.get_by_role("button", name="Save program").click()
    expect(page.get_by_text("Program “Leaders 2027 · Spring” saved.")).to_be_visible()
    program = Program.objects.get(pk=cast.program.pk)
    assert (program.name, program.meeting_cadence) == ("Leaders 2027 · Spring", "quarterly")
    url = reverse("groups-program-edit", kwargs={"org_slug": "acme", "program_id": program.pk})
    on_phone(browser, live_server, cast.admin, url, screenshot, "program-edit")


def test_intake_people_search_with_and_without_javascript(
    browser: Browser, live_server, cast, screenshot
):
    url = reverse("people-intake", kwargs={"org_slug": "acme"})
    page = signed_in(browser, live_server, cast.member)
    page.goto(live_server.url + url)
    picker = page.get_by_role("group", name="People you would rather not share a group with")
    picker.get_by_label("Find someone in your program by name").fill("mem")
    expect(picker.get_by_label("Max Member")).to_be_visible()
    expect(picker.get_by_label("Oli Member")).to_be_visible()
    expect(picker.get_by_text("Fran Facilitator")).to_have_count(0)
    picker.get_by_label("Max Member").check()
    picker.scroll_into_view_if_needed()
    screenshot(page, "intake-people-search")

    # Without JavaScript the Search button brings the matches back with the page.
    context = browser.new_context(viewport=WIDTHS["phone"], java_script_enabled=False)
    phone = context.new_page()
    phone.goto(live_server.url + reverse("login"))
    phone.get_by_label("E-mail address").fill(cast.member.email)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    phone.goto(live_server.url + url)
    phone.get_by_label("Company", exact=True).fill("Helix Labs")
    manager = phone.get_by_role("group", name="Your own manager, if they take part")
    manager.get_by_label("Find someone in your program by name").fill("max")
    manager.get_by_role("button", name="Search").click()
    manager = phone.get_by_role("group", name="Your own manager, if they take part")
    expect(manager.get_by_label("Max Member")).to_be_visible()
    expect(phone.get_by_label("Company", exact=True)).to_have_value("Helix Labs")
    manager.get_by_label("Max Member").check()
    fits_the_phone(phone)
    screenshot(phone, "intake-people-search-phone")
    # The whole intake is long on a phone: the pickers' section on its own, to look at.
    section = phone.locator("section", has=phone.get_by_role("heading", name="Who you should"))
    section.screenshot(path=str(SCREENSHOTS / "intake-people-search-phone-pickers.png"))
    assert MemberProfile.objects.get(user=cast.member).reports_to is None  # nothing saved yet


def test_roster_downloads_from_its_program_page(browser: Browser, live_server, cast, screenshot):
    schedule(cast.group, cast.facilitator)
    page = signed_in(browser, live_server, cast.admin)
    page.goto(live_server.url + cast.program.get_absolute_url())
    link = page.get_by_role("link", name="Download the roster (CSV)")
    expect(link).to_be_visible()
    screenshot(page, "roster-export")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"roster-acme-{cast.program.pk}.csv"
    with open(download.path(), encoding="utf-8-sig") as file:  # a BOM, for Excel
        rows = list(csv.DictReader(io.StringIO(file.read())))
    by_member = {row["member"]: row for row in rows}
    assert by_member["Mia Member"]["group"] == "Group A"
    assert by_member["Mia Member"]["facilitator"] == "Fran Facilitator"
    assert by_member["Mia Member"]["schedule"].startswith("Monthly, second Tuesday")
    assert by_member["Oli Member"]["group"] == "Group B"
    on_phone(
        browser,
        live_server,
        cast.admin,
        cast.program.get_absolute_url(),
        screenshot,
        "roster-export",
    )


def test_admin_manages_pick_lists(browser: Browser, live_server, cast, screenshot):
    MemberProfile.objects.filter(user=cast.member).update(function="research ")
    MemberProfile.objects.filter(user=cast.member2).update(function="Research")
    page = signed_in(browser, live_server, cast.admin)
    page.get_by_role("link", name="Members").first.click()
    page.get_by_role("link", name="Pick-lists").click()
    expect(
        page.get_by_role("heading", name="Pick-lists: regions, industries and functions")
    ).to_be_visible()
    page.get_by_label("List").select_option("function")
    page.get_by_label("Value").fill("Clinical operations")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("“Clinical operations” added.")).to_be_visible()
    function = page.locator("section", has=page.get_by_role("heading", name="Function"))
    function.get_by_label("“research ”").check()
    function.get_by_label("Into").fill("Research")
    function.get_by_role("button", name="Merge").click()
    expect(page.get_by_text("Merged into “Research”: 1 changed.")).to_be_visible()
    assert set(Category.objects.filter(kind="function").values_list("label", flat=True)) == {
        "Clinical operations",
        "Research",
    }
    screenshot(page, "categories")
    on_phone(
        browser,
        live_server,
        cast.admin,
        reverse("people-categories", args=["acme"]),
        screenshot,
        "categories",
    )
