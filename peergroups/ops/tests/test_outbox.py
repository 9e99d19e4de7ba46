"""The development outbox (ops.outbox) and a runserver whose links point at itself."""

import socket
import threading
import time
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from conftest import make_user
from peergroups.ops.mail import email_message
from peergroups.ops.management.commands.runserver import server_base_url
from peergroups.ops.outbox import OutboxBackend, outbox_messages


@pytest.fixture
def outbox(settings, tmp_path):
    settings.MAIL_OUTBOX = True
    settings.MAIL_OUTBOX_DIR = str(tmp_path / "mail")
    settings.EMAIL_BACKEND = "peergroups.ops.outbox.OutboxBackend"
    return tmp_path / "mail"


def _invitation(to: str = "new@acme.test"):
    return email_message(
        to=to,
        subject="You are invited to O'Brien & Co on Peergroups",
        template="people/email/invitation_reminder.txt",
        context={
            "invitation": {"organization": {"name": "O'Brien & Co"}, "full_name": "James"},
            "link": "http://127.0.0.1:8101/invite/abc123/",
        },
    )


def test_the_backend_keeps_each_message_and_the_reader_finds_its_links(outbox):
    assert OutboxBackend().send_messages([_invitation(), _invitation("b@acme.test")]) == 2
    assert len(list(outbox.glob("*.eml"))) == 2
    newest, oldest = outbox_messages()
    assert {newest.to, oldest.to} == {"new@acme.test", "b@acme.test"}
    assert newest.subject == "You are invited to O'Brien & Co on Peergroups"
    assert newest.links == ["http://127.0.0.1:8101/invite/abc123/"]
    assert "join O'Brien & Co on Peergroups" in newest.text


@pytest.mark.django_db
def test_staff_read_the_outbox_with_its_links(client, outbox):
    _invitation().send()
    staff = make_user("staff@peergroups.test", "Sam Staff")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client.force_login(staff)
    page = client.get(reverse("ops-outbox"))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<a href="http://127.0.0.1:8101/invite/abc123/">' in html
    assert "new@acme.test" in html and "O&#x27;Brien &amp; Co" in html


@pytest.mark.django_db
def test_not_for_others_and_not_where_it_is_off(client, outbox, settings):
    _invitation().send()
    member = make_user("member@acme.test", "Mia Member")
    client.force_login(member)
    assert client.get(reverse("ops-outbox")).status_code == 404
    member.is_staff = True
    member.save(update_fields=["is_staff"])
    settings.MAIL_OUTBOX = False
    assert client.get(reverse("ops-outbox")).status_code == 404
    client.logout()
    settings.MAIL_OUTBOX = True
    assert client.get(reverse("ops-outbox")).status_code == 302  # to sign in


def test_the_server_address_becomes_the_base_url():
    assert server_base_url("127.0.0.1", 8101) == "http://127.0.0.1:8101"
    assert server_base_url("0.0.0.0", 8101) == "http://127.0.0.1:8101"
    assert server_base_url("::1", 8101, ipv6=True) == "http://[::1]:8101"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_a_server_on_another_port_sends_links_on_that_port(monkeypatch, run_tasks):
    """The real runserver command, on a free port (not 8000), with no BASE_URL in the
    environment: a password reset asked over HTTP e-mails a link on that port."""
    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.setattr(settings, "BASE_URL", "http://127.0.0.1:8000")  # restored after
    user = make_user("reset@acme.test", "James O'Connor")
    port = _free_port()
    threading.Thread(
        target=call_command,
        args=("runserver", f"127.0.0.1:{port}"),
        kwargs={"use_reloader": False, "skip_checks": True},
        daemon=True,
    ).start()
    base = f"http://127.0.0.1:{port}"
    cookies = CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    for _ in range(100):
        try:
            browser.open(base + reverse("password_reset"), timeout=5).read()
            break
        except OSError:
            time.sleep(0.1)
    token = next(c.value for c in cookies if c.name == settings.CSRF_COOKIE_NAME)
    form = urlencode({"email": user.email, "csrfmiddlewaretoken": token}).encode()
    browser.open(
        urllib.request.Request(
            base + reverse("password_reset"), data=form, headers={"Referer": base}
        ),
        timeout=10,
    ).read()
    assert base == settings.BASE_URL
    run_tasks()
    (message,) = mail.outbox
    assert f"{base}/accounts/reset/" in message.body and ":8000" not in message.body
