"""An admin sets up provisioning in a browser: from Settings to a SCIM token, which an
identity provider then uses over real HTTP, to its revocation (issue 23, item 4)."""

import httpx2
import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from peergroups.accounts.models import User
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_operations_flow import WIDTHS, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USER = "urn:ietf:params:scim:schemas:core:2.0:User"


def scim_get(url: str, token: str) -> httpx2.Response:
    # One request per connection: the live server's threads end with their request.
    with httpx2.Client(limits=httpx2.Limits(max_keepalive_connections=0)) as http:
        return http.get(url, headers={"Authorization": f"Bearer {token}"})


def test_an_admin_creates_a_token_a_provider_uses_it_and_the_admin_revokes_it(
    browser: Browser, live_server, cast
):
    page = signed_in(browser, live_server, cast.admin)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="SCIM tokens and base URL").click()
    expect(page.get_by_role("heading", name="Acme Leaders: provisioning (SCIM)")).to_be_visible()
    base_url = page.get_by_label("Base URL").input_value()
    assert base_url == live_server.url + "/scim/v2"
    page.get_by_label("Name").fill("Entra ID")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_label("Token (Secret Token in Entra ID").input_value()
    assert token.startswith("pgscim_")

    # The identity provider, over HTTP: creates a person, who becomes a member.
    with httpx2.Client(limits=httpx2.Limits(max_keepalive_connections=0)) as http:
        created = http.post(
            base_url + "/Users",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"},
            json={
                "schemas": [USER],
                "userName": "ada@acme.test",
                "active": True,
                "emails": [{"value": "ada@acme.test", "primary": True}],
                "name": {"givenName": "Ada", "familyName": "Lovelace"},
            },
        )
    assert created.status_code == 201, created.text
    assert User.objects.get(email="ada@acme.test").full_name == "Ada Lovelace"

    # Read again, the page has no token any more, and says when it was last used.
    page.goto(live_server.url + reverse("scim-tokens", args=["acme"]))
    assert token not in page.content()
    row = page.get_by_role("row").filter(has_text="Entra ID")
    expect(row).not_to_contain_text("never")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "scim-tokens.png"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke “Entra ID”").click()
    expect(page.get_by_text("Token “Entra ID” revoked.")).to_be_visible()
    assert scim_get(base_url + "/Users", token).status_code == 401
    page.context.close()


def test_the_token_page_fits_a_phone(browser: Browser, live_server, cast):
    page = signed_in(browser, live_server, cast.admin, viewport=WIDTHS["phone"])
    page.goto(live_server.url + reverse("scim-tokens", args=["acme"]))
    page.get_by_label("Name").fill("Okta")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="Your new token")).to_be_visible()
    wider = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert wider <= 0, f"the page is {wider}px wider than the phone"
    page.screenshot(path=str(SCREENSHOTS / "scim-tokens-phone.png"), full_page=True)
    page.context.close()
