"""Logs an operator can act on (a request id, the user and the client on every line of a
request, one line per event, 400s and 500s logged) and the metrics endpoint."""

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from peergroups.ops.logs import OneLineFormatter
from peergroups.ops.services import worker_heartbeat

pytestmark = pytest.mark.django_db
BASE_DIR = Path(settings.BASE_DIR)
LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR|CRITICAL) "
    r"req=\S+ user=\S+ client=\S+ [\w.]+: "
)


def test_every_response_carries_its_request_id(client):
    first = client.get("/accounts/login/")["X-Request-ID"]
    second = client.get("/accounts/login/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", first) and first != second


def test_the_proxys_request_id_is_kept_only_behind_a_proxy(client, settings):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] != "abc-123"
    settings.BEHIND_PROXY = True
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="a b\nc")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", forged)


def test_a_500_logs_one_line_with_the_request_id_user_and_client(cast, settings, caplog):
    settings.ROOT_URLCONF = "peergroups.ops.tests.urls_boom"
    settings.BEHIND_PROXY = True
    client = Client(raise_request_exception=False)
    client.force_login(cast.member)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/boom/", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert request_id in response.content.decode()  # the reference to quote
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    line = OneLineFormatter().format(record)
    assert LINE.match(line), line
    assert f"req={request_id} user={cast.member.pk} client=203.0.113.9 " in line
    assert "Internal Server Error: /boom/" in line and "RuntimeError" in line
    assert "\n" not in line


def test_an_api_500_answers_json_with_the_reference(cast, settings):
    settings.ROOT_URLCONF = "peergroups.ops.tests.urls_boom"
    client = Client(raise_request_exception=False)
    client.force_login(cast.member)
    response = client.get("/api/boom/")
    assert response.status_code == 500
    assert response.json()["request_id"] == response["X-Request-ID"]


def test_a_400_is_logged(client, settings, caplog):
    settings.ALLOWED_HOSTS = ["groups.example.org"]
    with caplog.at_level(logging.WARNING):
        response = client.get("/accounts/login/", HTTP_HOST="198.51.100.7")
    assert response.status_code == 400
    lines = [OneLineFormatter().format(r) for r in caplog.records]
    assert any(
        "400 GET /accounts/login/" in line and f"req={response['X-Request-ID']}" in line
        for line in lines
    ), lines


def test_production_logs_are_one_line_per_event_with_time_level_and_request_id():
    """The settings' LOGGING, as a production process writes it to stderr."""
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'peergroups.settings';"
        "django.setup();"
        "from django.test import Client, override_settings;"
        # Static files without collectstatic: the logging is what is under test.
        "plain = {'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'};"
        "override_settings(STORAGES={'default': plain, 'staticfiles': plain}).enable();"
        "r = Client(HTTP_HOST='198.51.100.7').get('/accounts/login/', secure=True);"
        "print(r.status_code, r['X-Request-ID'])"
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "0",
        "SECRET_KEY": "log-test-" + "s3cr3t-" * 8,
        "PYTHONWARNINGS": "ignore",  # whitenoise warns of no collected static files
        "ALLOWED_HOSTS": "groups.example.org",
        "DATABASE_URL": "sqlite:////tmp/peergroups-log-test-unused.sqlite3",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    status, request_id = done.stdout.split()
    assert status == "400"
    lines = done.stderr.splitlines()
    assert lines, "nothing logged"
    for line in lines:
        assert LINE.match(line), line
    assert any(f"req={request_id}" in line and "400 GET /accounts/login/" in line for line in lines)


# --- metrics -----------------------------------------------------------------------------


def test_metrics_show_workers_and_tasks_to_a_private_scraper(
    cast, settings, client, django_capture_on_commit_callbacks, run_tasks
):
    from peergroups.organizations.services import invitation_create
    from tests.smtp_server import closed_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = (
        "127.0.0.1",
        closed_port(),
        False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            organization=cast.organization, email="x@acme.test", acting_user=cast.admin
        )
    run_tasks()  # the mail server is down: the send waits for its retry
    # After the tasks ran: a heartbeat is alive for WORKER_STALE_AFTER (30 s) of wall
    # time, which a loaded machine's run of the tasks above has taken.
    worker_heartbeat(worker_id="d1", queues="default", host="h:1", started_at=timezone.now())
    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    assert 'peergroups_build_info{version="0.3.0"} 1' in text
    assert "peergroups_database_up 1" in text
    assert 'peergroups_workers_alive{queue="default"} 1' in text
    assert 'peergroups_workers_alive{queue="formation"} 0' in text
    assert 'peergroups_tasks_waiting_retry{queue="default"} 1' in text
    assert 'peergroups_tasks{queue="default",status="ready"} 1' in text
    for line in text.splitlines():
        assert line.startswith("# ") or re.fullmatch(r"[a-z_]+(\{.*\})? [-0-9.e+]+", line), line


def test_metrics_refuse_the_internet_and_want_the_token_when_one_is_set(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="93.184.216.34").status_code == 403
    # Through the proxy, even the proxy's private address is not the scraper.
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
    settings.METRICS_TOKEN = "t0ken-" * 5
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    ok = client.get(
        "/metrics", REMOTE_ADDR="93.184.216.34", HTTP_AUTHORIZATION="Bearer " + "t0ken-" * 5
    )
    assert ok.status_code == 200


def test_djangos_own_response_lines_carry_the_request_id(client, caplog):
    """Django logs a 4xx/5xx after the middleware returned it: the line still names it."""
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/api/me")
    assert response.status_code == 401
    lines = [OneLineFormatter().format(r) for r in caplog.records if r.name == "django.request"]
    assert len(lines) == 1 and f"req={response['X-Request-ID']} " in lines[0], lines


def test_a_probe_that_fails_logs_one_warning_not_an_error(client, caplog):
    with caplog.at_level(logging.INFO):
        assert client.get("/readyz").status_code == 503
    assert [(r.name, r.levelname) for r in caplog.records if r.levelno >= logging.WARNING] == [
        ("peergroups.probes", "WARNING")
    ]
