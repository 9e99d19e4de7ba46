"""Signing in with an e-mail address, and resetting a forgotten password."""

import re

from django.core import mail
from django.urls import reverse

from conftest import PASSWORD

NEW_PASSWORD = "a-long-and-fine-passphrase"


def test_sign_in_with_email_in_any_case(client, cast):
    response = client.post(
        reverse("login"), {"username": "MIA@acme.TEST", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.wsgi_request.user == cast.member


def test_wrong_password_keeps_the_address_and_says_why(client, cast):
    response = client.post(reverse("login"), {"username": "mia@acme.test", "password": "nope"})
    assert response.status_code == 422  # the form again, with its error
    assert b"mia@acme.test" in response.content
    assert b"correct" in response.content  # "Please enter a correct e-mail address and password"


def test_password_reset_by_email(client, cast, run_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "mia@acme.test"})
    assert response.status_code == 302
    assert mail.outbox == []  # not sent in the request: queued
    run_tasks()
    assert len(mail.outbox) == 1
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    cast.member.refresh_from_db()
    assert cast.member.check_password(NEW_PASSWORD)
