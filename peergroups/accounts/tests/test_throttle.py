"""Issue 10, defect 5: sign-in, password reset, invitation links and API tokens are
throttled per account and per client address, with counts in the database."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from peergroups.accounts.models import ThrottleCounter
from peergroups.accounts.throttle import (
    API_ACCOUNT,
    API_BAD_TOKEN_ADDRESS,
    INVITATION_ADDRESS,
    PASSWORD_RESET_ACCOUNT,
    SIGN_IN_ACCOUNT,
    SIGN_IN_ADDRESS,
)
from peergroups.api.tests.helpers import bearer

LOGIN = reverse("login")


@pytest.fixture(autouse=True)
def still_clock():
    """Windows are fixed; a test that crossed a window's end would count from zero."""
    with time_machine.travel(datetime(2030, 1, 1, 12, 0, 5, tzinfo=UTC), tick=False):
        yield


def sign_in(client, password, email="mia@acme.test", address="10.0.0.1"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)


def test_forty_wrong_passwords_then_the_right_one_is_refused(client, cast):
    statuses = [sign_in(client, f"wrong-{n}").status_code for n in range(40)]
    assert statuses[: SIGN_IN_ACCOUNT.limit] == [422] * SIGN_IN_ACCOUNT.limit
    assert set(statuses[SIGN_IN_ACCOUNT.limit :]) == {429}
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The counts live in the database, hashed: no address nor e-mail in the table.
    keys = " ".join(ThrottleCounter.objects.values_list("key", flat=True))
    assert "mia@acme.test" not in keys and "10.0.0.1" not in keys


def test_the_window_passes_and_the_right_password_works_again(client, cast):
    for n in range(SIGN_IN_ACCOUNT.limit):
        sign_in(client, f"wrong-{n}")
    with time_machine.travel(timezone.now() + SIGN_IN_ACCOUNT.window + timedelta(seconds=1)):
        assert sign_in(client, PASSWORD).status_code == 302


def test_success_clears_the_accounts_failures(client, cast):
    for n in range(SIGN_IN_ACCOUNT.limit - 1):
        sign_in(client, f"wrong-{n}")
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    assert sign_in(client, "wrong-again").status_code == 422  # counting from zero


def test_one_address_trying_many_accounts_is_throttled(client, cast, settings):
    emails = [f"person{n}@acme.test" for n in range(SIGN_IN_ADDRESS.limit)]
    for email in emails:
        sign_in(client, "guess", email=email, address="10.9.9.9")
    assert sign_in(client, PASSWORD, address="10.9.9.9").status_code == 429
    assert sign_in(client, PASSWORD, address="10.1.1.1").status_code == 302


def test_forwarded_address_is_trusted_only_behind_a_proxy(client, cast, settings):
    from django.test import RequestFactory

    from peergroups.accounts.throttle import client_address

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    settings.BEHIND_PROXY = False
    assert client_address(request) == "10.0.0.5"
    settings.BEHIND_PROXY = True
    assert client_address(request) == "1.2.3.4"


def test_password_reset_is_throttled_per_account(
    client, cast, run_tasks, django_capture_on_commit_callbacks
):
    url = reverse("password_reset")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(PASSWORD_RESET_ACCOUNT.limit):
            assert client.post(url, {"email": "mia@acme.test"}).status_code == 302
        response = client.post(url, {"email": "mia@acme.test"})
    assert response.status_code == 429 and "Retry-After" in response
    run_tasks()
    assert len(mail.outbox) == PASSWORD_RESET_ACCOUNT.limit


def test_guessing_invitation_links_is_throttled_per_address(client, cast):
    for n in range(INVITATION_ADDRESS.limit):
        url = reverse("accounts-invitation", args=[f"guess-{n}"])
        assert client.get(url, REMOTE_ADDR="10.7.7.7").status_code == 410
    response = client.get(reverse("accounts-invitation", args=["one-more"]), REMOTE_ADDR="10.7.7.7")
    assert response.status_code == 429


def test_invalid_api_tokens_are_throttled_per_address(client, cast):
    headers = {"HTTP_AUTHORIZATION": "Bearer pg_not-a-key", "REMOTE_ADDR": "10.3.3.3"}
    for _ in range(API_BAD_TOKEN_ADDRESS.limit):
        assert client.get("/api/me", **headers).status_code == 401
    response = client.get("/api/me", **headers)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["detail"].startswith("Too many requests with an invalid API token")
    # Guesses are what is limited: a good key from the same address still works.
    good = bearer(cast.member)
    assert client.get("/api/me", REMOTE_ADDR="10.3.3.3", **good).status_code == 200


def test_api_use_is_throttled_per_account(client, cast, settings):
    headers = bearer(cast.member)
    account = f"user:{cast.member.pk}"
    from peergroups.accounts.throttle import throttle_hit

    for _ in range(API_ACCOUNT.limit - 1):
        throttle_hit((API_ACCOUNT, account))
    assert client.get("/api/me", **headers).status_code == 200  # the last one allowed
    response = client.get("/api/me", **headers)
    assert response.status_code == 429 and "Retry-After" in response
