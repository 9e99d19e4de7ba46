"""Faults, on PostgreSQL, with the production processes (gunicorn and two task workers, as
`tests/test_scale_out.py` runs them): a formation worker killed mid-run, the mail server
dying during a send, the database refusing connections and then every connection cut.
After each: nothing lost, and every probe said what was true at each step.

Time is short here: workers beat every second (WORKER_HEARTBEAT_SECONDS=1, dead after
3 s), and an e-mail's retry is made due at once instead of in a minute.
"""

import json
import os
import signal
import time

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from conftest import PASSWORD, build_cast
from peergroups.accounts.models import User
from peergroups.formation.models import FormationRun, RunStatus
from peergroups.formation.recovery import RUN_LOST
from peergroups.organizations.models import Invitation
from tests.smtp_server import SmtpServer
from tests.test_scale_out import (  # noqa: F401 - `deployment` is a fixture
    WORKER_START_SECONDS,
    Client,
    Forms,
    deployment,
    listening,
    real_password_hash,
    sign_in,
    start_app,
    wait_for,
    waiting_members,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BEAT = 1
DEAD_AFTER = 3 * BEAT


def probe(app: str, path: str) -> tuple[int, dict]:
    answer = Client().get(app, path)
    return answer.status, json.loads(answer.text)


def start_worker(deployment, name: str, queue: str) -> None:  # noqa: F811
    deployment.start(
        name, "manage.py", "worker", "--queue-name", queue, "--worker-id", name,
        "--interval", "0.2", "--no-startup-delay",
    )  # fmt: skip


def run_started(browser: Client, app: str, program_id: int, seconds: int) -> str:
    path = f"/o/acme/programs/{program_id}/formation/"
    form = Forms(browser.get(app, path).text).to("")
    form |= {"seconds": [str(seconds)], "seed": ["7"], "min_size": ["3"], "max_size": ["5"]}
    started = browser.post(app, path, form)
    assert started.status == 302, started.text[:3000]
    return started.location()


def invite(browser: Client, app: str, email: str) -> None:
    page = browser.get(app, "/o/acme/invitations/")
    form = Forms(page.text).to("")
    form |= {"email": [email], "role": ["member"], "program": [""]}
    answer = browser.post(app, "/o/acme/invitations/", form)
    assert answer.status == 302, answer.text[:3000]


def other_backends(sql: str) -> None:
    """Run `sql` over every connection to the test database but this process's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {sql} FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def test_faults_lose_nothing_and_the_probes_tell_the_truth(deployment):  # noqa: F811
    cast = build_cast()
    User.objects.filter(pk=cast.admin.pk).update(password=real_password_hash())
    waiting_members(cast, 12)
    cast.program.min_group_size, cast.program.max_group_size = 3, 5
    cast.program.save()
    smtp = SmtpServer().start()
    deployment.env.update(
        {
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_TIMEOUT": "5",
            "WORKER_HEARTBEAT_SECONDS": str(BEAT),
            "LOG_LEVEL": "INFO",
        }
    )
    deployment.start("collectstatic", "manage.py", "collectstatic", "--noinput", "-v", "0")
    deployment.finish("collectstatic")
    start_app(deployment, "app")
    app = listening(deployment, "app")
    assert probe(app, "/healthz") == (200, {"status": "ok", "database": "ok"})
    status, body = probe(app, "/readyz")
    assert status == 503 and body["workers"] == {"default": 0, "formation": 0}

    start_worker(deployment, "default-1", "default")
    start_worker(deployment, "formation-1", "formation")

    def ready():
        status, body = probe(app, "/readyz")
        return status == 200 and body["workers"] == {"default": 1, "formation": 1}

    wait_for(ready, WORKER_START_SECONDS, every=0.5)
    browser = Client()
    assert sign_in(browser, app, cast.admin.email, PASSWORD).status == 302

    # 1. A formation worker is killed mid-run (SIGKILL: an out-of-memory kill).
    run_path = run_started(browser, app, cast.program.pk, seconds=60)
    run = FormationRun.objects.get()
    wait_for(lambda: FormationRun.objects.get().status == RunStatus.RUNNING, 60)
    os.killpg(deployment.running.pop("formation-1").pid, signal.SIGKILL)
    killed_at = time.monotonic()

    def run_failed():
        return FormationRun.objects.get(pk=run.pk).status == RunStatus.FAILED

    wait_for(run_failed, DEAD_AFTER + 20)  # the default worker's sweep noticed
    noticed = time.monotonic() - killed_at
    status, body = probe(app, "/readyz")
    assert status == 503 and body["workers"] == {"default": 1, "formation": 0}, body
    assert "formation" in body["problem"]
    assert probe(app, "/healthz")[0] == 200  # the app itself is fine
    page = browser.get(app, run_path)
    assert page.status == 200 and RUN_LOST in page.text.replace("&#x27;", "'")
    task = DBTaskResult.objects.get(task_path__endswith="formation_run_task")
    assert task.status == TaskResultStatus.FAILED
    print(f"killed formation worker: run failed {noticed:.1f} s later, /readyz 503")
    # The program is not blocked: another worker comes, a new run goes through.
    start_worker(deployment, "formation-2", "formation")
    wait_for(ready, WORKER_START_SECONDS, every=0.5)
    second = run_started(browser, app, cast.program.pk, seconds=1)
    wait_for(lambda: FormationRun.objects.order_by("-pk").first().status == RunStatus.DONE, 120)
    assert browser.get(app, second).status == 200

    # 2. The mail server dies in the middle of a send.
    smtp.drop_at_data = 1
    invite(browser, app, "first@acme.test")

    def retry_queued():
        return DBTaskResult.objects.filter(
            task_path__endswith="invitation_send",
            status=TaskResultStatus.READY,
            args_kwargs__kwargs__attempt=2,
        ).first()

    retry = wait_for(retry_queued, 30)
    assert smtp.messages == []
    invitation = Invitation.objects.get(email="first@acme.test")
    assert invitation.sent_at is None and invitation.send_failed_at is None
    funnel = browser.get(app, "/o/acme/invitations/funnel/")
    assert "e-mail queued" in funnel.text  # not "sent"
    metrics = Client().get(app, "/metrics").text
    assert 'peergroups_tasks_waiting_retry{queue="default"} 1' in metrics
    assert probe(app, "/readyz")[0] == 200  # mail is not readiness: pages and tasks work
    # The server is back; the retry's time comes (made due now rather than in a minute).
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    wait_for(lambda: smtp.messages, 30)
    assert [m.recipients for m in smtp.messages] == [["first@acme.test"]]
    wait_for(lambda: Invitation.objects.get(pk=invitation.pk).sent_at, 10)  # then marked sent
    invitation.refresh_from_db()
    assert invitation.send_failed_at is None
    print("SMTP cut mid-send: retried, delivered once")

    # 3. The database refuses connections (as during a restart), then accepts again.
    def allow_connections(allow: bool) -> None:
        """From the server's maintenance database: a database cannot refuse itself."""
        import psycopg

        db = connection.settings_dict
        with psycopg.connect(
            dbname="postgres",
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"] or None,
            autocommit=True,
        ) as server:
            server.execute(f'ALTER DATABASE "{db["NAME"]}" WITH ALLOW_CONNECTIONS {allow}')

    allow_connections(False)
    try:
        other_backends("pg_terminate_backend(pid)")
        for path in ("/healthz", "/readyz"):
            status, body = probe(app, path)
            assert status == 503, (path, body)
            assert body["database"] == "unreachable"
            assert "does not answer" in body["problem"]
        time.sleep(3 * BEAT)  # long enough for every worker to meet the refusal
    finally:
        allow_connections(True)
    assert probe(app, "/healthz") == (200, {"status": "ok", "database": "ok"})
    wait_for(ready, 30, every=0.5)  # the workers reconnected and beat again
    for name in ("default-1", "formation-2"):
        deployment.alive(name)  # they waited instead of exiting
        assert "lost the database connection" in deployment.log(name)
        wait_for(lambda n=name: "database connection back" in deployment.log(n), 30)
    print("database down: both probes 503 with the reason; back: 200")

    # 4. Every connection cut at once (a database restart): requests and workers go on.
    other_backends("pg_terminate_backend(pid)")
    assert probe(app, "/healthz")[0] == 200
    invite(browser, app, "second@acme.test")
    wait_for(lambda: len(smtp.messages) == 2, 60)
    assert smtp.messages[1].recipients == ["second@acme.test"]
    third = run_started(browser, app, cast.program.pk, seconds=1)
    wait_for(lambda: FormationRun.objects.order_by("-pk").first().status == RunStatus.DONE, 120)
    assert browser.get(app, third).status == 200
    for name in ("default-1", "formation-2"):
        deployment.alive(name)
    assert ready()
    print("connections cut: the app and both workers reconnected; nothing lost")
    smtp.stop()
