"""Admins create and revoke SCIM tokens on the settings page and over the API: the token
is shown once, only its hash is kept, its last use is shown, every write is audited."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from peergroups.api.services import token_create
from peergroups.audit.models import AuditEntry
from peergroups.dashboards.persons import person_erase
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import hash_token
from peergroups.scim.models import ScimToken, ScimUser

pytestmark = pytest.mark.django_db

USER = "urn:ietf:params:scim:schemas:core:2.0:User"


def test_the_page_shows_a_new_token_once_and_keeps_only_its_hash(client, cast):
    client.force_login(cast.admin)
    url = reverse("scim-tokens", args=["acme"])
    response = client.post(url, {"name": "Entra ID"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    raw = response.context["new_key"]
    assert raw.startswith("pgscim_")
    assert raw in response.content.decode()
    token = ScimToken.objects.get()
    assert token.key_hash == hash_token(raw)
    assert raw not in json.dumps(list(ScimToken.objects.values()), default=str)
    assert token.created_by == cast.admin and token.organization == cast.organization
    entry = AuditEntry.objects.get(action="scim_token_issue")
    assert entry.actor == cast.admin and entry.organization == cast.organization
    # Shown once: the page read again has the prefix, never the token.
    again = client.get(url).content.decode()
    assert raw not in again
    assert token.prefix in again
    assert 'value="http://testserver/scim/v2"' in again  # the base URL for the provider


def test_a_blank_name_re_renders_the_form_with_422(client, cast):
    client.force_login(cast.admin)
    response = client.post(reverse("scim-tokens", args=["acme"]), {"name": ""})
    assert response.status_code == 422
    assert not ScimToken.objects.exists()


def test_last_use_is_recorded_to_the_minute_and_shown(client, cast):
    client.force_login(cast.admin)
    raw = client.post(reverse("scim-tokens", args=["acme"]), {"name": "Okta"}).context["new_key"]
    assert "never" in client.get(reverse("scim-tokens", args=["acme"])).content.decode()
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        used = client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert used.status_code == 200
        token = ScimToken.objects.get()
        assert token.last_used_at == timezone.now()
        page = client.get(reverse("scim-tokens", args=["acme"])).content.decode()
    assert timezone.localtime(token.last_used_at).strftime("%H:%M") in page


def test_revoking_on_the_page_stops_the_token_and_is_audited(client, cast):
    client.force_login(cast.admin)
    raw = client.post(reverse("scim-tokens", args=["acme"]), {"name": "Okta"}).context["new_key"]
    token = ScimToken.objects.get()
    response = client.post(reverse("scim-token-revoke", args=["acme", token.pk]))
    assert response.status_code == 302
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    entry = AuditEntry.objects.get(action="scim_token_revoke")
    assert entry.before == {"revoked": False} and entry.after == {"revoked": True}
    # Again: nothing changes, no second row.
    client.post(reverse("scim-token-revoke", args=["acme", token.pk]))
    assert AuditEntry.objects.filter(action="scim_token_revoke").count() == 1


def test_another_organizations_token_cannot_be_revoked(client, cast):
    access = organization_access(cast.outsider, cast.other_organization.slug)
    from peergroups.scim.services import scim_token_create

    token, _ = scim_token_create(access=access, acting_user=cast.outsider, name="Globex")
    client.force_login(cast.admin)
    assert client.post(reverse("scim-token-revoke", args=["acme", token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_api_creates_lists_and_revokes(client, cast):
    key = token_create(user=cast.admin, name="api")[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    url = "/api/organizations/acme/scim-tokens"
    created = client.post(url, {"name": "Entra ID"}, content_type="application/json", **headers)
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith("pgscim_")
    assert body["created_by"] == cast.admin.email
    assert ScimToken.objects.get().key_hash == hash_token(body["token"])
    listed = client.get(url, **headers).json()
    assert [t["id"] for t in listed] == [body["id"]]
    assert "token" not in listed[0]
    assert (
        client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {body['token']}").status_code
        == 200
    )
    revoked = client.post(f"{url}/{body['id']}/revoke", **headers)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert (
        client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {body['token']}").status_code
        == 401
    )
    blank = client.post(url, {"name": " "}, content_type="application/json", **headers)
    assert blank.status_code == 422
    assert blank.json()["detail"]


def test_members_cannot_see_or_make_tokens(client, cast):
    key = token_create(user=cast.member, name="api")[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    url = "/api/organizations/acme/scim-tokens"
    assert client.get(url, **headers).status_code == 403
    assert (
        client.post(url, {"name": "x"}, content_type="application/json", **headers).status_code
        == 403
    )
    assert not ScimToken.objects.exists()


def test_throttled_past_the_limit_with_retry_after(client, cast):
    """Counted per token, like the API per account: 1,200 a minute, then 429."""
    from peergroups.accounts.throttle import SCIM_TOKEN, throttle_hit
    from peergroups.scim.services import scim_token_create

    access = organization_access(cast.admin, "acme")
    token, raw = scim_token_create(access=access, acting_user=cast.admin, name="x")
    for _ in range(SCIM_TOKEN.limit - 1):
        throttle_hit((SCIM_TOKEN, f"scim-token:{token.pk}"))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/scim/v2/Users", **headers).status_code == 200  # the last one allowed
    response = client.get("/scim/v2/Users", **headers)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert json.loads(response.content)["detail"] == SCIM_TOKEN.reason


def test_control_characters_are_a_scim_error(client, cast):
    access = organization_access(cast.admin, "acme")
    from peergroups.scim.services import scim_token_create

    raw = scim_token_create(access=access, acting_user=cast.admin, name="x")[1]
    body = {"schemas": [USER], "userName": "a\x00b@acme.test", "active": True}
    response = client.post(
        "/scim/v2/Users",
        json.dumps(body),
        content_type="application/scim+json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 400
    assert json.loads(response.content)["schemas"] == [
        "urn:ietf:params:scim:api:messages:2.0:Error"
    ]


def test_erasing_a_person_deletes_the_providers_record_of_them(client, cast):
    access = organization_access(cast.admin, "acme")
    from peergroups.scim.services import scim_user_create

    scim_user_create(
        access=access,
        acting_user=cast.admin,
        user_name="mia@acme.test",
        external_id="e-1",
        attributes={"emails": [{"value": cast.member.email, "primary": True}]},
        active=True,
    )
    person_erase(
        access=access, acting_user=cast.admin, user_id=cast.member.pk, group_content="keep"
    )
    assert not ScimUser.objects.exists()


def test_the_audit_log_names_the_token_and_the_person_provisioned(client, cast):
    client.force_login(cast.admin)
    raw = client.post(reverse("scim-tokens", args=["acme"]), {"name": "Entra ID"}).context[
        "new_key"
    ]
    body = {
        "schemas": [USER],
        "userName": "ada@acme.test",
        "active": True,
        "emails": [{"value": "ada@acme.test", "primary": True}],
        "name": {"formatted": "Ada Lovelace"},
    }
    created = client.post(
        "/scim/v2/Users",
        json.dumps(body),
        content_type="application/scim+json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert created.status_code == 201
    page = client.get(reverse("organizations-audit", args=["acme"])).content.decode()
    assert "SCIM token “Entra ID”" in page
    assert "Ada Lovelace (ada@acme.test)" in page
    assert "scim_user_create" in page
