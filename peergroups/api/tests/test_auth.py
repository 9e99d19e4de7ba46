from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from peergroups.api.models import ApiToken
from peergroups.api.services import token_create, token_revoke
from peergroups.api.tests.helpers import bearer
from peergroups.organizations.models import hash_token


def assert_401(response):
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_request_without_credentials_is_401_json(client, cast):
    assert_401(client.get("/api/me"))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer pg_not-a-real-key",
        "Bearer not-even-our-format",
        "Bearer ",
        "Token pg_whatever",
        "Basic YWRtaW46cGFzc3dvcmQ=",
    ],
)
def test_unknown_or_malformed_token_is_401(client, cast, header):
    assert_401(client.get("/api/me", HTTP_AUTHORIZATION=header))


def test_valid_token_authenticates_as_its_user(client, cast):
    response = client.get("/api/me", **bearer(cast.member))
    assert response.status_code == 200
    assert response.json()["email"] == "mia@acme.test"


def test_revoked_token_is_401(client, cast):
    token, raw_key = token_create(user=cast.member, name="laptop")
    token_revoke(token=token, acting_user=cast.member)
    assert_401(client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw_key}"))


def test_token_of_deactivated_user_is_401(client, cast):
    headers = bearer(cast.member)
    cast.member.is_active = False
    cast.member.save(update_fields=["is_active"])
    assert_401(client.get("/api/me", **headers))


def test_raw_key_is_never_stored(cast):
    token, raw_key = token_create(user=cast.member, name="laptop")
    token.refresh_from_db()
    assert raw_key.startswith("pg_") and len(raw_key) > 40
    assert token.key_hash == hash_token(raw_key)
    assert raw_key[:11] == token.prefix
    stored = [str(value) for value in ApiToken.objects.values_list().get(pk=token.pk)]
    assert raw_key not in stored


def test_session_of_signed_in_user_is_accepted(client, cast):
    client.force_login(cast.admin)
    response = client.get("/api/me")
    assert response.status_code == 200
    assert response.json()["email"] == "admin@acme.test"


def test_last_used_at_is_written_at_most_once_a_minute(client, cast):
    token, raw_key = token_create(user=cast.member, name="script")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw_key}"}
    start = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        client.get("/api/me", **headers)
        token.refresh_from_db()
        assert token.last_used_at == start

        clock.shift(timedelta(seconds=30))
        client.get("/api/me", **headers)
        token.refresh_from_db()
        assert token.last_used_at == start  # not rewritten within the minute

        clock.shift(timedelta(seconds=31))
        client.get("/api/me", **headers)
        token.refresh_from_db()
        assert token.last_used_at == start + timedelta(seconds=61)


def test_request_within_the_minute_runs_no_write(client, cast, django_assert_num_queries):
    headers = bearer(cast.member)
    # Frozen: a new minute would start a new throttle window (a few more queries, once).
    with time_machine.travel(datetime(2030, 1, 1, 12, 0, 5, tzinfo=UTC), tick=False):
        client.get("/api/me", **headers)  # first use writes last_used_at
        # One query for the token and its user, one for the per-account request counter
        # (throttling, in the database so every process counts), one for the organizations.
        with django_assert_num_queries(3):
            assert client.get("/api/me", **headers).status_code == 200


def test_revoking_twice_keeps_the_first_time(cast):
    token, _ = token_create(user=cast.member, name="laptop")
    token_revoke(token=token, acting_user=cast.member)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    token_revoke(token=token, acting_user=cast.member)
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first


def test_service_refuses_to_revoke_another_users_token(cast):
    from django.core.exceptions import PermissionDenied

    token, _ = token_create(user=cast.member, name="laptop")
    with pytest.raises(PermissionDenied):
        token_revoke(token=token, acting_user=cast.member2)
    assert not ApiToken.objects.get(pk=token.pk).is_revoked
