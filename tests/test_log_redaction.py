"""Secrets stay out of logs (issue 21, row 5): one-click pulse, check-in, invitation,
password-reset and calendar links appeared in full in the access log (12 lines for one
pulse token).

The production command (`gunicorn peergroups.wsgi -c gunicorn.conf.py`, DEBUG off) runs
on a migrated SQLite file; the test requests each kind of link (with a query string and
a referer holding one too) and greps everything the server wrote: gunicorn's access
log, Django's request logging and our refusal lines.
"""

import http.client
import logging
import os
import re
import subprocess
import sys

import pytest

from peergroups.redact import RedactLinks, redact_links
from tests.test_scale_out import Processes, listening, start_app

TOKENS = {
    "pulse": "/o/acme/pulse/{}/",
    "check_in": "/o/acme/check-in/{}/",
    "calendar": "/o/acme/calendar/{}.ics",
    "invitation": "/invite/{}/",
    "reset": "/accounts/reset/MQ/{}/",
}


def secret(kind: str) -> str:
    return f"Zq{kind.replace('_', '')}SeCrEt0123456789"


@pytest.mark.parametrize("kind", sorted(TOKENS))
def test_redact_links_takes_out_each_kind_of_token(kind):
    line = f'GET {TOKENS[kind].format(secret(kind))}?status=done HTTP/1.1" 410'
    assert secret(kind) not in redact_links(line)
    assert "[redacted]" in redact_links(line)


def test_pages_without_tokens_are_left_alone():
    for path in ("/o/acme/outcomes/pulse/", "/accounts/reset/done/", "/o/acme/check-ins/"):
        assert redact_links(f"GET {path} 200") == f"GET {path} 200"


def test_the_filter_rewrites_a_records_arguments():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/invite/abc123/",), None
    )
    assert RedactLinks().filter(record)
    assert record.getMessage() == "Not Found: /invite/[redacted]/"


def _run(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args], env=env, check=True, timeout=300, capture_output=True
    )


def test_the_production_server_logs_no_token(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DEBUG": "0",
        "SECRET_KEY": "log-redaction-test-" + "k3y-" * 12,
        "ALLOWED_HOSTS": "127.0.0.1",
        "BASE_URL": "http://127.0.0.1",
        "SECURE_COOKIES": "0",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(tmp_path / "static"),
        "GUNICORN_BIND": "127.0.0.1:0",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    _run(env, "migrate", "-v", "0")
    _run(env, "collectstatic", "--noinput", "-v", "0")
    processes = Processes(env=env, logs=tmp_path)
    try:
        start_app(processes, "web")
        base = listening(processes, "web")
        host, port = re.match(r"http://([\d.]+):(\d+)", base).groups()
        statuses = []
        for kind, shape in TOKENS.items():
            path = shape.format(secret(kind))
            referer = base + TOKENS["pulse"].format(secret("pulse"))
            for method in ("GET", "POST"):
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
                connection.request(method, path + "?status=done", headers={"Referer": referer})
                statuses.append(connection.getresponse().status)
                connection.close()
    finally:
        processes.stop_all()
    log = processes.log("web")
    assert statuses and all(status < 500 for status in statuses), statuses
    assert "[redacted]" in log  # the requests were logged, without their tokens
    for kind in TOKENS:
        assert secret(kind) not in log, f"{kind} token in the log:\n{log[-3000:]}"
