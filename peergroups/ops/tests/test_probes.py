"""The probes tell the truth: JSON, 503 with the reason, never a traceback page; on plain
HTTP and for any Host; a live worker for each queue; short timeouts on a dead database."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from peergroups.ops import scheduler
from peergroups.ops.services import WORKER_STALE_AFTER, worker_heartbeat

BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture(autouse=True)
def no_periodic_jobs(monkeypatch):
    """The periodic jobs' lateness is test_scheduler's subject: here no job is registered,
    so only the database and the workers decide readiness."""
    monkeypatch.setattr(scheduler, "JOBS", {})


PROBE_SCRIPT = """
import json, os, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peergroups.settings")
django.setup()
from django.test import Client
client = Client(HTTP_HOST="10.0.0.5:8000", raise_request_exception=False)
for path in ("/healthz", "/readyz"):
    started = time.monotonic()
    response = client.get(path)
    print(json.dumps({
        "path": path,
        "status": response.status_code,
        "type": response["Content-Type"],
        "body": response.content.decode(),
        "seconds": time.monotonic() - started,
    }))
"""


def probe_in_production(database_url: str, **extra) -> dict[str, dict]:
    """Ask both probes in a fresh process with production settings (DEBUG=0, HTTPS
    redirect on, ALLOWED_HOSTS without the address asked), as a load balancer would."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "0",
        "SECRET_KEY": "probe-test-" + "s3cr3t-" * 8,
        "ALLOWED_HOSTS": "groups.example.org",
        "DATABASE_URL": database_url,
        **extra,
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE_SCRIPT],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    answers = {}
    for line in done.stdout.splitlines():
        answer = json.loads(line)
        answers[answer["path"]] = answer
    return answers


def test_probes_answer_503_json_with_a_reason_when_the_database_is_missing(tmp_path):
    answers = probe_in_production(f"sqlite:///{tmp_path}/no/such/dir/db.sqlite3")
    for path in ("/healthz", "/readyz"):
        answer = answers[path]
        assert answer["status"] == 503, answer
        assert answer["type"] == "application/json"
        body = json.loads(answer["body"])
        assert body["database"] == "unreachable"
        assert body["problem"].startswith("The database does not answer:")
        assert "Traceback" not in answer["body"]


class SilentServer:
    """A port that accepts connections and never says a word (a hung database host)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held = []
        self.stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                continue

    def close(self):
        self.stop.set()
        for conn in self.held:
            conn.close()
        self.sock.close()


def test_a_database_that_never_answers_fails_the_probes_within_the_connect_timeout():
    pytest.importorskip("psycopg")
    server = SilentServer()
    try:
        started = time.monotonic()
        answers = probe_in_production(
            f"postgres://nobody@127.0.0.1:{server.port}/nothing", DATABASE_CONNECT_TIMEOUT="2"
        )
        elapsed = time.monotonic() - started
    finally:
        server.close()
    for path in ("/healthz", "/readyz"):
        assert answers[path]["status"] == 503, answers[path]
        assert answers[path]["seconds"] < 10
        assert "does not answer" in json.loads(answers[path]["body"])["problem"]
    assert elapsed < 60


@pytest.mark.django_db
def test_probes_answer_plain_http_for_any_host(client, settings):
    """A balancer asks by address over HTTP: no 400 for the Host, no redirect to HTTPS."""
    settings.ALLOWED_HOSTS = ["groups.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    response = client.get("/readyz", HTTP_HOST="10.0.0.5")
    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    # Everything else still checks both.
    assert client.get("/accounts/login/", HTTP_HOST="10.0.0.5").status_code == 400
    assert client.get("/accounts/login/", HTTP_HOST="groups.example.org").status_code == 301


@pytest.mark.django_db
def test_readyz_wants_a_live_worker_for_each_queue(client):
    now = timezone.now()
    worker_heartbeat(worker_id="d1", queues="default", host="h:1", started_at=now)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["workers"] == {"default": 1, "formation": 0}
    assert "formation" in body["problem"] and "default" not in body["problem"].split(":")[-1]
    worker_heartbeat(worker_id="f1", queues="formation", host="h:2", started_at=now)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "database": "ok",
        "workers": {"default": 1, "formation": 1},
        "late_jobs": [],
    }


@pytest.mark.django_db
def test_a_worker_of_every_queue_serves_both(client):
    worker_heartbeat(worker_id="all", queues="*", host="h:1", started_at=timezone.now())
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_a_killed_workers_heartbeat_expires(client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    worker_heartbeat(worker_id="d1", queues="default", host="h:1", started_at=timezone.now())
    worker_heartbeat(worker_id="f1", queues="formation", host="h:1", started_at=timezone.now())
    assert client.get("/readyz").status_code == 200
    time_machine.shift(WORKER_STALE_AFTER.total_seconds() - 5)
    worker_heartbeat(worker_id="d1", queues="default", host="h:1", started_at=timezone.now())
    time_machine.shift(6)  # f1 was killed: no beat for WORKER_STALE_AFTER
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["workers"] == {"default": 1, "formation": 0}


@pytest.mark.postgres
@pytest.mark.django_db
def test_web_statements_time_out_at_30_s_and_commands_at_ten_minutes():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("30s",)  # this process is no manage.py command
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.db import connection; c = connection.cursor(); "
            "c.execute('SHOW statement_timeout'); print(c.fetchone()[0])",
        ],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip().splitlines()[-1] == "10min", done.stderr
