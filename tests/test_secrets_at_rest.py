"""Issue 10, defect 2: no secret that opens something is stored where it would open it.

After each flow that makes a link or a key (invitation, one-click check-in, calendar
feed, password reset, API token, SCIM token) every text column of every table, the task queue and
the decoded sessions included, is scanned for the raw secret.
"""

import re
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from peergroups.organizations.models import Role

NEW_PASSWORD = "a-long-and-fine-passphrase"


def tables_holding(secret: str) -> list[str]:
    """Every table and column whose stored text contains `secret` (sessions decoded)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("utf-8", "replace")
                    if isinstance(value, str) and secret in value:
                        found.append(f"{table}.{column}")
    for session in Session.objects.all():
        if secret in str(session.get_decoded()):
            found.append(f"django_session (decoded) {session.session_key[:6]}…")
    return found


def test_invitation_link_is_not_stored_nor_queued(
    client, cast, django_capture_on_commit_callbacks, run_tasks
):
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("organizations-invitations", args=["acme"]),
            {"email": "new-admin@acme.test", "role": Role.ADMIN},
        )
    run_tasks()
    token = re.search(r"/invite/([^/\s]+)/", mail.outbox[-1].body).group(1)
    assert tables_holding(token) == []
    # The link works: the secret is in the e-mail only.
    client.logout()
    assert client.get(reverse("accounts-invitation", args=[token])).status_code == 200


def test_invitation_task_is_queued_with_an_id_only(cast, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from peergroups.organizations.services import invitation_create

    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = invitation_create(
            organization=cast.organization,
            email="queued@acme.test",
            role=Role.ADMIN,
            acting_user=cast.admin,
        )
    queued = DBTaskResult.objects.get()
    assert token not in str(queued.args_kwargs)
    assert tables_holding(token) == []


def test_check_in_link_is_not_stored(cast, run_tasks):
    from peergroups.goals.services import commitment_make
    from peergroups.meetings.services import agreement_accept, agreement_current

    agreement_accept(agreement=agreement_current(group=cast.group), user=cast.member)
    commitment_make(
        group=cast.group,
        member=cast.member,
        text="Write the job ad.",
        due_on=timezone.localdate() + timedelta(days=1),
    )
    call_command("send_goal_reminders")
    run_tasks()
    token = re.search(r"/check-in/([^/?\s]+)/", mail.outbox[-1].body).group(1)
    assert tables_holding(token) == []


def test_calendar_feed_address_is_not_stored(client, cast):
    client.force_login(cast.member)
    page = client.post(
        reverse("meetings-calendar", kwargs={"org_slug": "acme"}), {"action": "regenerate"}
    ).content.decode()
    token = re.search(r"/calendar/([^/\s\"]+)\.ics", page).group(1)
    assert tables_holding(token) == []


def test_password_reset_token_is_not_stored(
    client, cast, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "mia@acme.test"})
    run_tasks()  # the reset e-mail is a task, which makes the token as it sends
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert tables_holding(token) == []
    form_page = client.get(path, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert tables_holding(token) == []


def test_api_key_is_not_stored(client, cast):
    client.force_login(cast.member)
    page = client.post(reverse("api-tokens"), {"name": "laptop"}).content.decode()
    key = re.search(r'value="(pg_[^"]+)"', page).group(1)
    assert tables_holding(key) == []
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_sign_on_client_secret_is_sealed(client, cast, settings):
    """A provider's client secret must be sent on, so it cannot be a hash: it is sealed
    under SECRET_KEY (peergroups.sso.sealing), and the audit row only says it changed."""
    secret = "the-acme-client-secret-1234567890"
    client.force_login(cast.admin)
    response = client.post(
        reverse("sso-settings", args=["acme"]),
        {
            "enabled": "on",
            "issuer": "https://login.acme.test",
            "client_id": "peergroups",
            "client_secret": secret,
            "allowed_domains": "acme.test",
        },
    )
    assert response.status_code == 302
    assert tables_holding(secret) == []
    assert secret not in client.get(reverse("sso-settings", args=["acme"])).content.decode()


def test_scim_token_is_not_stored(client, cast):
    client.force_login(cast.admin)
    page = client.post(reverse("scim-tokens", args=["acme"]), {"name": "Entra ID"})
    key = re.search(r'value="(pgscim_[^"]+)"', page.content.decode()).group(1)
    assert tables_holding(key) == []
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
