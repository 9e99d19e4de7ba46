"""An invited manager creates their account, fills the intake and sees the dashboard."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from peergroups.organizations.models import Role
from peergroups.organizations.services import invitation_create
from peergroups.people.models import MemberProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_invited_member_signs_up_fills_intake_and_sees_dashboard(
    page: Page, live_server, cast, screenshot
):
    _, token = invitation_create(
        organization=cast.organization,
        email="nina@acme.test",
        role=Role.MEMBER,
        program=cast.program,
        acting_user=cast.admin,
        send=False,
    )
    page.goto(live_server.url + reverse("accounts-invitation", args=[token]))
    expect(page.get_by_role("heading", name="Join Acme Leaders")).to_be_visible()
    page.get_by_label("Your name").fill("Nina Newcomer")
    page.get_by_label("Choose a password").fill("a-long-and-fine-passphrase")
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_role("heading", name="Your intake profile")).to_be_visible()
    page.get_by_label("Region").fill("Boston")
    page.get_by_label("Time zone").select_option("America/New_York")
    page.get_by_label("Industry").fill("Biotech")
    page.get_by_label("Company", exact=True).fill("Helix Labs")
    page.get_by_label("Function (e.g. engineering, sales)").fill("Research")
    page.get_by_label("Management level").select_option("middle")
    page.get_by_label("People you manage (directly and indirectly)").fill("14")
    # Submit with one answer missing: the form comes back with the error, answers kept.
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_text("Please correct the fields marked below")).to_be_visible()
    expect(page.get_by_label("Region")).to_have_value("Boston")

    page.get_by_label("Years as a manager").fill("6")
    page.get_by_role("group", name="Areas of expertise").get_by_label("Hiring").check()
    page.get_by_role("group", name="Areas of expertise").get_by_label("Finance").check()
    page.get_by_role("group", name="When you can meet").get_by_label("Tue morning").check()
    page.get_by_label("Your current challenges").fill(
        "Scaling the team without losing the culture."
    )
    page.get_by_role("button", name="Save my profile").click()

    expect(page.get_by_text("your intake is complete")).to_be_visible()
    expect(page.get_by_role("heading", name="Acme Leaders")).to_be_visible()
    screenshot(page, "member-onboarding-dashboard")
    profile = MemberProfile.objects.get(user__email="nina@acme.test")
    assert profile.is_complete
    assert profile.expertise == ["hiring", "finance"]
