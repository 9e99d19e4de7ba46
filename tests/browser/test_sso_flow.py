"""Single sign-on in a browser: the admin sets up the organization's identity provider
(a real OpenID Connect provider, oidc-provider-mock, started here on a free port); a
member goes from our sign-in page to the provider's page, submits, and lands signed in
on the organization's dashboard. Screenshots of the settings page at both widths."""

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD
from peergroups.sso.models import SignOnSettings
from peergroups.sso.tests.providers import mock_provider, provider_user_set
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_operations_flow import WIDTHS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(browser: Browser, base: str, email: str, viewport) -> Page:
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(base + reverse("login"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def no_wider_than_the_screen(page: Page, name: str) -> None:
    wider = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert wider <= 0, f"{name} is {wider}px wider than the screen"


def test_admin_sets_up_sign_on_and_a_member_signs_in_with_the_company_account(
    browser: Browser, live_server, cast, settings
):
    settings.BASE_URL = live_server.url
    settings.SSO_ALLOW_LOCAL_ISSUERS = True
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with mock_provider() as issuer:
        admin = sign_in(browser, live_server.url, "admin@acme.test", WIDTHS["desktop"])
        admin.goto(live_server.url + reverse("organizations-settings", args=["acme"]))
        admin.get_by_role("link", name="Set up single sign-on").click()
        expect(admin.get_by_role("heading", name="Acme Leaders: single sign-on")).to_be_visible()
        expect(admin.locator("#redirect-uri")).to_have_text(live_server.url + "/sso/acme/callback/")
        admin.get_by_label("Sign-in with company accounts is on").check()
        admin.get_by_label("Issuer").fill(issuer)
        admin.get_by_label("Client id").fill("peergroups-acme")
        admin.get_by_label("Client secret").fill("the-client-secret")
        admin.get_by_label("E-mail domains that may join").fill("acme.test")
        admin.get_by_role("button", name="Save sign-on settings").click()
        expect(admin.get_by_text("Sign-on settings saved.")).to_be_visible()
        expect(admin.get_by_label("Client secret")).to_have_value("")
        no_wider_than_the_screen(admin, "sign-on settings")
        admin.screenshot(path=str(SCREENSHOTS / "sso-settings.png"), full_page=True)
        phone = sign_in(browser, live_server.url, "admin@acme.test", WIDTHS["phone"])
        phone.goto(admin.url)
        no_wider_than_the_screen(phone, "sign-on settings on a phone")
        phone.screenshot(path=str(SCREENSHOTS / "sso-settings-phone.png"), full_page=True)
        assert SignOnSettings.objects.get().enabled

        provider_user_set(issuer, "mia-at-acme", {"email": "mia@acme.test", "email_verified": True})
        member = browser.new_context(viewport=WIDTHS["desktop"]).new_page()
        member.goto(live_server.url + reverse("login"))
        member.get_by_role("link", name="Sign in with your company account").click()
        member.get_by_label("Your work e-mail").fill("mia@acme.test")
        member.get_by_role("button", name="Continue").click()
        member.screenshot(path=str(SCREENSHOTS / "sso-find.png"), full_page=True)
        member.get_by_role("link", name="Continue to Acme Leaders").click()
        # The provider's own page: who are you?
        expect(member.get_by_role("heading", name="Authorize Client")).to_be_visible()
        member.get_by_placeholder("sub").fill("mia-at-acme")
        member.get_by_role("button", name="Authorize").click()
        expect(member.get_by_role("button", name="Sign out")).to_be_visible()
        assert member.url == live_server.url + reverse("organizations-dashboard", args=["acme"])
        expect(member.get_by_role("heading", name="Acme Leaders")).to_be_visible()

        # Someone the organization does not know, of a domain it does not allow.
        provider_user_set(issuer, "eve", {"email": "eve@evil.test", "email_verified": True})
        stranger = browser.new_context(viewport=WIDTHS["desktop"]).new_page()
        stranger.goto(live_server.url + reverse("sso-start", args=["acme"]))
        stranger.get_by_placeholder("sub").fill("eve")
        stranger.get_by_role("button", name="Authorize").click()
        expect(stranger.get_by_text("eve@evil.test cannot sign in to Acme Leaders")).to_be_visible()
        expect(stranger.get_by_role("button", name="Sign out")).to_have_count(0)
