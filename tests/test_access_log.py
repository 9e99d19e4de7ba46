"""gunicorn's access log, as production writes it: the client behind the proxy, the
request id and the duration on every line (what an operator greps when a user reports
a slow or failed request)."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_access_log_line_names_client_request_id_and_duration(tmp_path):
    port = _free_port()
    log = tmp_path / "access.log"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_ACCESSLOG": str(log),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "peergroups.wsgi", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-For": "203.0.113.9"}
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    request_id = response.headers["X-Request-ID"]
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        for _ in range(50):  # gunicorn writes the line after the response
            if "/healthz" in log.read_text():
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(30)
    (line,) = [entry for entry in log.read_text().splitlines() if "/healthz" in entry]
    assert re.search(
        rf'client=203\.0\.113\.9 peer=127\.0\.0\.1 req={request_id} "GET /healthz HTTP/1\.1" '
        r'200 \d+ \d+ms "',
        line,
    ), line
