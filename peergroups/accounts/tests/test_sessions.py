"""The session store reads Django's session rows without the ORM: the same rows, the
same expiry, and a signed-out or expired session is gone on the next request."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from peergroups.accounts.sessions import SessionStore


def test_a_saved_session_reads_back(db):
    store = SessionStore()
    store["answer"] = 42
    store.save()
    assert SessionStore(store.session_key).load() == {"answer": 42}


def test_an_expired_session_reads_empty_and_drops_its_key(db):
    store = SessionStore()
    store["answer"] = 42
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    again = SessionStore(store.session_key)
    assert again.load() == {}
    assert again.session_key is None


def test_an_unknown_key_reads_empty(db):
    assert SessionStore("x" * 32).load() == {}


def test_sign_out_ends_the_session_on_the_next_request(client, cast):
    client.force_login(cast.member)
    dashboard = reverse("organizations-dashboard", args=["acme"])
    assert client.get(dashboard).status_code == 200
    key = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = key  # replaying the old cookie
    assert client.get(dashboard).status_code == 302  # to the sign-in page
