"""An invitation e-mail is not lost when the mail server is down: the task retries with
back-off, then the funnel shows it as not delivered, with the reason, and it can be
resent. Real SMTP over sockets (tests/smtp_server.py), real task queue."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from peergroups.ops.mail import RETRY_DELAYS
from peergroups.organizations.models import Invitation
from peergroups.organizations.services import invitation_create
from tests.smtp_server import SmtpServer, closed_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 2
    yield server
    server.stop()


def invite(cast, django_capture_on_commit_callbacks, email="newcomer@acme.test") -> Invitation:
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _ = invitation_create(
            organization=cast.organization,
            email=email,
            acting_user=cast.admin,
            program=cast.program,
        )
    return invitation


def funnel(client, cast) -> str:
    client.force_login(cast.admin)
    url = reverse("dashboards-funnel", kwargs={"org_slug": cast.organization.slug})
    return client.get(url).content.decode()


def test_a_send_while_the_server_is_down_is_retried_and_delivered_once_it_is_back(
    cast, smtp, settings, run_tasks, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    up_port, settings.EMAIL_PORT = smtp.port, closed_port()  # the server is down
    invitation = invite(cast, django_capture_on_commit_callbacks)
    run_tasks()
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.args_kwargs == {"args": [invitation.pk], "kwargs": {"attempt": 2}}
    assert (retry.run_after - timezone.now()).total_seconds() == RETRY_DELAYS[0]
    run_tasks()  # not before its time
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    settings.EMAIL_PORT = up_port  # back
    time_machine.shift(RETRY_DELAYS[0] + 1)
    run_tasks()
    assert [message.recipients for message in smtp.messages] == [["newcomer@acme.test"]]
    assert "/invite/" in smtp.messages[0].data
    invitation.refresh_from_db()
    assert invitation.sent_at is not None and invitation.send_failed_at is None
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


def test_after_the_last_retry_the_funnel_shows_it_undelivered_and_a_resend_delivers(
    cast, smtp, settings, client, run_tasks, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    up_port, settings.EMAIL_PORT = smtp.port, closed_port()
    invitation = invite(cast, django_capture_on_commit_callbacks)
    run_tasks()
    for delay in RETRY_DELAYS:
        assert "e-mail queued" in funnel(client, cast)  # still trying: not "sent"
        time_machine.shift(delay + 1)
        run_tasks()
    tries = DBTaskResult.objects.filter(task_path__endswith="invitation_send")
    assert tries.count() == len(RETRY_DELAYS) + 1
    assert tries.filter(status=TaskResultStatus.FAILED).count() == 1
    assert not tries.filter(status=TaskResultStatus.READY).exists()
    invitation.refresh_from_db()
    assert invitation.sent_at is None and invitation.send_failed_at is not None
    page = funnel(client, cast)
    assert "e-mail not delivered" in page
    assert "The mail server could not be reached." in page
    # The server is back; the admin resends from the funnel.
    settings.EMAIL_PORT = up_port
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dashboards-funnel", kwargs={"org_slug": cast.organization.slug}),
            {"invitation": invitation.pk, "action": "resend"},
        )
    assert response.status_code == 302
    run_tasks()
    assert [message.recipients for message in smtp.messages] == [["newcomer@acme.test"]]
    invitation.refresh_from_db()
    assert invitation.send_failed_at is None and invitation.sent_at is not None
    assert "e-mail not delivered" not in funnel(client, cast)


def test_an_address_the_server_refuses_is_not_retried(
    cast, smtp, client, run_tasks, django_capture_on_commit_callbacks
):
    smtp.refuse.add("nobody@acme.test")
    invitation = invite(cast, django_capture_on_commit_callbacks, email="nobody@acme.test")
    run_tasks()
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    invitation.refresh_from_db()
    assert invitation.send_failed_at is not None
    assert "550" in invitation.send_error and "nobody@acme.test" in invitation.send_error
    assert "No such mailbox" in funnel(client, cast)
    assert mail.outbox == []


def test_a_password_reset_while_the_server_is_down_arrives_once_it_is_back(
    cast, smtp, settings, client, run_tasks, django_capture_on_commit_callbacks, time_machine
):
    """Sent by a task, not in the request: the page answers at once, the mail follows."""
    time_machine.move_to(timezone.now(), tick=False)
    up_port, settings.EMAIL_PORT = smtp.port, closed_port()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "mia@acme.test"})
    assert response.status_code == 302
    run_tasks()
    assert smtp.messages == []
    settings.EMAIL_PORT = up_port
    time_machine.shift(RETRY_DELAYS[0] + 1)
    run_tasks()
    assert [message.recipients for message in smtp.messages] == [["mia@acme.test"]]
    assert "/accounts/reset/" in smtp.messages[0].data
    # No task row holds the link.
    assert not any("reset" in str(row.args_kwargs) for row in DBTaskResult.objects.all())
