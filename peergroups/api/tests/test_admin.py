from django.urls import reverse

from conftest import make_user
from peergroups.api.models import ApiToken
from peergroups.api.services import token_create


def test_django_admin_shows_tokens_without_their_hash_and_can_revoke(client, cast):
    staff = make_user("staff@peergroups.test", "Sam Staff")
    staff.is_staff = staff.is_superuser = True
    staff.save(update_fields=["is_staff", "is_superuser"])
    token, _ = token_create(user=cast.member, name="laptop")
    client.force_login(staff)

    for url in (
        reverse("admin:api_apitoken_changelist"),
        reverse("admin:api_apitoken_change", args=[token.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert token.prefix in response.content.decode()
        assert token.key_hash not in response.content.decode()
    assert client.get(reverse("admin:api_apitoken_add")).status_code == 403

    response = client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).is_revoked
