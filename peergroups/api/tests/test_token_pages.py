import re

from django.urls import reverse

from peergroups.api.models import ApiToken
from peergroups.api.services import token_create

TOKENS = "/account/tokens/"


def created_key(response) -> str:
    match = re.search(r'value="(pg_[A-Za-z0-9_-]+)"', response.content.decode())
    assert match, "the new key is shown on the page"
    return match.group(1)


def test_token_pages_need_sign_in(client, cast):
    token, _ = token_create(user=cast.member, name="laptop")
    response = client.get(TOKENS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    response = client.post(reverse("api-token-revoke", args=[token.pk]))
    assert response.status_code == 302
    assert not ApiToken.objects.get(pk=token.pk).is_revoked


def test_create_shows_key_once_and_key_works(client, cast):
    client.force_login(cast.member)
    response = client.post(TOKENS, {"name": "  Reporting script "})
    assert response.status_code == 200
    assert "Copy it now, you will not see it again" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    key = created_key(response)
    token = ApiToken.objects.get(user=cast.member)
    assert token.name == "Reporting script"
    assert key.startswith(token.prefix)

    listing = client.get(TOKENS)
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Reporting script" in page and token.prefix in page
    assert key not in page

    client.logout()
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_create_without_name_rerenders_with_error(client, cast):
    client.force_login(cast.member)
    response = client.post(TOKENS, {"name": ""})
    assert response.status_code == 422
    assert "This field is required" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_list_shows_only_own_tokens(client, cast):
    token_create(user=cast.member, name="Mia's laptop")
    token_create(user=cast.member2, name="Max's script")
    client.force_login(cast.member)
    page = client.get(TOKENS).content.decode()
    assert "Mia&#x27;s laptop" in page
    assert "Max" not in page


def test_revoke_own_token_stops_it_working(client, cast):
    token, key = token_create(user=cast.member, name="laptop")
    client.force_login(cast.member)
    response = client.post(reverse("api-token-revoke", args=[token.pk]), follow=True)
    assert response.redirect_chain == [(TOKENS, 302)]
    assert "revoked" in response.content.decode()
    assert ApiToken.objects.get(pk=token.pk).is_revoked
    client.logout()
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_revoking_another_users_token_is_404(client, cast):
    token, key = token_create(user=cast.member2, name="Max's script")
    client.force_login(cast.member)
    response = client.post(reverse("api-token-revoke", args=[token.pk]))
    assert response.status_code == 404
    assert not ApiToken.objects.get(pk=token.pk).is_revoked
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_revoke_is_post_only(client, cast):
    token, _ = token_create(user=cast.member, name="laptop")
    client.force_login(cast.member)
    assert client.get(reverse("api-token-revoke", args=[token.pk])).status_code == 405
    assert not ApiToken.objects.get(pk=token.pk).is_revoked


def test_revoke_needs_csrf_token(cast):
    from django.test import Client

    token, _ = token_create(user=cast.member, name="laptop")
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.member)
    assert client.post(reverse("api-token-revoke", args=[token.pk])).status_code == 403
    assert not ApiToken.objects.get(pk=token.pk).is_revoked
