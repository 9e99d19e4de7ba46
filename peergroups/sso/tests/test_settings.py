"""An organization's sign-on settings: the admins' page and API, the same rules and the
same audit row; the client secret is written, sealed, and never shown back."""

import json

import pytest
from django.test import override_settings
from django.urls import reverse

from peergroups.api.tests.helpers import bearer
from peergroups.audit.models import AuditEntry
from peergroups.sso.models import SignOnSettings
from peergroups.sso.sealing import secret_open
from peergroups.sso.tests.conftest import CLIENT_SECRET, sign_on_configure
from peergroups.sso.tests.providers import callback_path, provider_authorize, provider_user_set

API = "/api/organizations/acme/sign-on"
FORM = {
    "enabled": "on",
    "issuer": "https://login.acme.test/tenant/v2.0/",
    "client_id": "peergroups-acme",
    "client_secret": CLIENT_SECRET,
    "allowed_domains": "acme.test\n@Acme-Labs.test, acme.test",
}


def patch(client, user, body):
    return client.patch(API, json.dumps(body), content_type="application/json", **bearer(user))


def test_admin_saves_the_settings_and_the_secret_is_sealed_and_never_shown(client, cast):
    client.force_login(cast.admin)
    url = reverse("sso-settings", args=["acme"])
    page = client.get(url)
    assert page.status_code == 200
    assert "http://testserver/sso/acme/callback/" in page.content.decode()
    response = client.post(url, FORM)
    assert response.status_code == 302
    sign_on = SignOnSettings.objects.get(organization=cast.organization)
    assert sign_on.enabled
    assert sign_on.issuer == "https://login.acme.test/tenant/v2.0"
    assert sign_on.allowed_domains == ["acme.test", "acme-labs.test"]
    assert CLIENT_SECRET not in sign_on.client_secret_sealed
    assert secret_open(sign_on.client_secret_sealed) == CLIENT_SECRET
    page = client.get(url).content.decode()
    assert CLIENT_SECRET not in page
    assert "A secret is stored" in page
    entry = AuditEntry.objects.get(action="sign_on_settings")
    assert entry.actor == cast.admin
    assert entry.before == {
        "enabled": False,
        "issuer": "",
        "client_id": "",
        "allowed_domains": [],
        "client_secret": "none",
    }
    assert entry.after["client_secret"] == "changed"
    assert CLIENT_SECRET not in json.dumps([entry.before, entry.after])


def test_an_empty_secret_keeps_the_stored_one(client, cast):
    client.force_login(cast.admin)
    url = reverse("sso-settings", args=["acme"])
    client.post(url, FORM)
    sealed = SignOnSettings.objects.get().client_secret_sealed
    assert client.post(url, {**FORM, "client_secret": "", "enabled": ""}).status_code == 302
    sign_on = SignOnSettings.objects.get()
    assert sign_on.client_secret_sealed == sealed and not sign_on.enabled
    assert AuditEntry.objects.filter(action="sign_on_settings").order_by("pk").last().after == {
        "enabled": False
    }
    # Saving the same values again changes nothing and writes no row.
    client.post(url, {**FORM, "client_secret": "", "enabled": ""})
    assert AuditEntry.objects.filter(action="sign_on_settings").count() == 2


def test_turning_it_on_needs_issuer_client_id_and_secret(client, cast):
    client.force_login(cast.admin)
    url = reverse("sso-settings", args=["acme"])
    for missing, sentence in [
        ("issuer", "https address"),
        ("client_id", "client id"),
        ("client_secret", "client secret"),
    ]:
        response = client.post(url, {**FORM, missing: ""})
        assert response.status_code == 422, missing
        assert sentence in response.content.decode(), missing
    assert not SignOnSettings.objects.exists()


@override_settings(SSO_ALLOW_LOCAL_ISSUERS=False)
def test_issuers_outside_https_or_inside_our_network_are_refused(client, cast):
    client.force_login(cast.admin)
    url = reverse("sso-settings", args=["acme"])
    for issuer in (
        "http://login.acme.test",
        "https://localhost:9400",
        "https://127.0.0.1",
        "https://10.0.0.8/realms/acme",
        "https://[::1]/",
        "https://169.254.169.254/latest",
        "https://user:pw@login.acme.test",
        "https://login.acme.test/?tenant=1",
        "javascript:alert(1)",
    ):
        response = client.post(url, {**FORM, "issuer": issuer})
        assert response.status_code == 422, issuer
    assert not SignOnSettings.objects.exists()


def test_text_bounds_are_the_services(cast):
    from peergroups.errors import Invalid
    from peergroups.sso.services import sign_on_settings_update

    for field, value in [
        ("issuer", "https://login.acme.test/" + "x" * 200),
        ("client_id", "c" * 201),
        ("client_secret", "s" * 501),
    ]:
        values = dict(
            enabled=True,
            issuer="https://login.acme.test",
            client_id="c",
            client_secret="s",
            allowed_domains=[],
        )
        values[field] = value
        with pytest.raises(Invalid) as refused:
            sign_on_settings_update(
                organization=cast.organization, acting_user=cast.admin, **values
            )
        assert refused.value.field == field
        assert "characters or fewer" in refused.value.reason
    assert not SignOnSettings.objects.exists()


def test_bad_domains_are_refused_with_the_field(client, cast):
    for domains in (["not a domain"], ["acme"], [f"d{n}.test" for n in range(21)]):
        response = patch(client, cast.admin, {"allowed_domains": domains})
        assert response.status_code == 422, domains
        assert response.json()["errors"][0]["field"] == "allowed_domains"
    assert not SignOnSettings.objects.exists()


def test_api_reads_and_writes_the_settings_secret_write_only(client, cast):
    empty = client.get(API, **bearer(cast.admin)).json()
    assert empty == {
        "enabled": False,
        "issuer": "",
        "client_id": "",
        "client_secret_set": False,
        "allowed_domains": [],
        "redirect_uri": "http://testserver/sso/acme/callback/",
    }
    response = patch(
        client,
        cast.admin,
        {
            "enabled": True,
            "issuer": "https://acme.okta.test",
            "client_id": "0oa1",
            "client_secret": CLIENT_SECRET,
            "allowed_domains": ["acme.test"],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["client_secret_set"] is True and body["enabled"] is True
    assert CLIENT_SECRET not in response.content.decode()
    assert CLIENT_SECRET not in client.get(API, **bearer(cast.admin)).content.decode()
    # Only what is given changes.
    assert (
        patch(client, cast.admin, {"enabled": False}).json()["issuer"] == "https://acme.okta.test"
    )
    entries = AuditEntry.objects.filter(action="sign_on_settings").order_by("pk")
    assert [entry.after for entry in entries][-1] == {"enabled": False}
    assert patch(client, cast.admin, {"issuer": "ftp://x.test"}).status_code == 422


def test_only_the_organizations_admins_reach_the_settings(client, cast):
    assert client.get(API, **bearer(cast.facilitator)).status_code == 403
    assert client.get(API, **bearer(cast.member)).status_code == 403
    assert client.get(API, **bearer(cast.outsider)).status_code == 404  # Globex's admin
    assert patch(client, cast.outsider, {"enabled": False}).status_code == 404
    client.force_login(cast.outsider)
    assert client.get(reverse("sso-settings", args=["acme"])).status_code == 404


def test_configured_over_the_api_then_a_member_signs_in(client, cast, provider):
    """End to end through the API: the admin configures, a member signs in."""
    response = patch(
        client,
        cast.admin,
        {"enabled": True, "issuer": provider, "client_id": "acme", "client_secret": "s"},
    )
    assert response.status_code == 200
    provider_user_set(provider, "mia-1", {"email": "mia@acme.test", "email_verified": True})
    start = client.get(reverse("sso-start", args=["acme"]))["Location"]
    back = provider_authorize(start, "mia-1")
    assert client.get(callback_path(back)).status_code == 302
    assert client.get(reverse("organizations-dashboard", args=["acme"])).status_code == 200


def test_a_secret_sealed_under_an_old_key_still_opens_after_rotation(cast, settings):
    sign_on = sign_on_configure(cast.organization, cast.admin, "https://login.acme.test")
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    assert secret_open(sign_on.client_secret_sealed) is None
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert secret_open(sign_on.client_secret_sealed) == CLIENT_SECRET


def test_a_secret_no_key_opens_asks_for_it_again(client, cast, settings):
    sign_on_configure(cast.organization, cast.admin, "https://login.acme.test")
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    response = client.get(reverse("sso-start", args=["acme"]))
    assert response.status_code == 403
    assert "client secret entered again" in response.content.decode()


def test_find_by_work_email_offers_the_organizations_of_that_domain_only(client, cast):
    sign_on_configure(cast.organization, cast.admin, "https://login.acme.test", ["acme.test"])
    url = reverse("sso-find")
    assert client.get(url).status_code == 200
    found = client.post(url, {"email": "someone@ACME.test"})
    assert found.status_code == 200
    assert reverse("sso-start", args=["acme"]) in found.content.decode()
    # A member's own address of another domain says nothing about where they belong.
    none = client.post(url, {"email": "outsider@globex.test"})
    assert none.status_code == 422
    assert "Globex Circle" not in none.content.decode()
    assert "/sso/globex/" not in none.content.decode()
    assert client.post(url, {"email": "not an address"}).status_code == 422


def test_sign_in_page_offers_the_company_account(client, cast):
    page = client.get(reverse("login")).content.decode()
    assert reverse("sso-find") in page
    assert "Sign in with your company account" in page
