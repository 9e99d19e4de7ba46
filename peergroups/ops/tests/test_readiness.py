import json
import subprocess
import sys

import pytest
from django.urls import reverse
from django.utils import timezone

from peergroups.ops.models import WorkerHeartbeat
from peergroups.ops.services import WORKER_STALE_AFTER, worker_heartbeat

pytestmark = pytest.mark.django_db


def test_not_ready_without_a_live_worker(client):
    response = client.get(reverse("ops-readyz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["database"] == "ok"
    assert "No task worker" in body["problem"]
    assert response["Cache-Control"].startswith("max-age=0")


def test_ready_once_a_worker_beats_and_has_run_the_due_jobs(client, run_tasks):
    from peergroups.ops.scheduler import scheduler_tick

    # What `manage.py worker` does as it starts: beat, then tick the scheduler.
    worker_heartbeat(
        worker_id="w1", queues="default,formation", host="h:1", started_at=timezone.now()
    )
    scheduler_tick(worker_id="w1")
    run_tasks()
    response = client.get(reverse("ops-readyz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "database": "ok",
        "workers": {"default": 1, "formation": 1},
        "late_jobs": [],
    }


def test_a_silent_worker_stops_counting(client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    worker_heartbeat(worker_id="w1", queues="*", host="h:1", started_at=timezone.now())
    time_machine.shift(WORKER_STALE_AFTER.total_seconds() + 1)
    assert client.get(reverse("ops-readyz")).status_code == 503


def test_db_worker_is_the_worker_with_a_heartbeat():
    """A plain `manage.py db_worker` is ours, so /readyz sees it as it sees `worker`."""
    from django.core.management import get_commands, load_command_class

    from peergroups.ops.management.commands.worker import Command as WorkerCommand

    assert get_commands()["db_worker"] == "peergroups.ops"
    assert isinstance(load_command_class("peergroups.ops", "db_worker"), WorkerCommand)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("command", ["worker", "db_worker"])
def test_worker_command_beats_while_running_and_leaves_no_row(settings, command):
    """`manage.py worker --batch` (or `db_worker`) beats and cleans up when it stops."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the heartbeat thread needs a database that another connection can see")
    seen = []

    def record(sender, **kwargs):  # noqa: ARG001
        seen.extend(WorkerHeartbeat.objects.values_list("worker_id", flat=True))

    from django.db.models.signals import post_save

    post_save.connect(record, sender=WorkerHeartbeat, weak=False)
    try:
        call_command(command, batch=True, worker_id="batch-1", queue_name="default")
    finally:
        post_save.disconnect(record, sender=WorkerHeartbeat)
    assert seen == ["batch-1"]
    assert not WorkerHeartbeat.objects.exists()


def test_gunicorn_config_reads_the_environment(tmp_path):
    code = (
        "import json, runpy; c = runpy.run_path('gunicorn.conf.py');"
        "print(json.dumps({k: c[k] for k in ('workers', 'threads', 'timeout', 'preload_app')}))"
    )
    env = {"WEB_CONCURRENCY": "3", "GUNICORN_TIMEOUT": "45", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {
        "workers": 3,
        "threads": 4,
        "timeout": 45,
        "preload_app": True,
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reloading_worker_beats_once(tmp_path):
    """`manage.py worker` with --reload (DEBUG's default) is two processes, one worker.

    The watching parent neither beats nor loads the engine: /readyz counts one worker.
    """
    import os
    import signal
    import time

    from django.db import connection

    from tests.test_scale_out import database_url

    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs the test database: PostgreSQL only")
    log = tmp_path / "worker.log"
    env = {**os.environ, "DATABASE_URL": database_url(), "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with open(log, "wb") as out:
        parent = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--reload", "--queue-name", "default"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while "Starting worker" not in log.read_text() and time.monotonic() < deadline:
            assert parent.poll() is None, log.read_text()
            time.sleep(0.2)
        assert "Starting worker" in log.read_text(), log.read_text()
        hosts = list(WorkerHeartbeat.objects.values_list("host", flat=True))
        assert len(hosts) == 1
        assert not hosts[0].endswith(f":{parent.pid}")  # the child's
    finally:
        os.killpg(parent.pid, signal.SIGTERM)
        try:
            parent.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(parent.pid, signal.SIGKILL)
            parent.wait(15)
