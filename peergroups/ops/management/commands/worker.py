"""`manage.py worker`: django-tasks-db's `db_worker`, plus a heartbeat, the scheduler, the
recovery sweep and a warm engine.

It takes `db_worker`'s options, and `manage.py db_worker` is this same command here
(ops' `db_worker`). It records a heartbeat every few seconds so `/readyz` knows a worker
is alive. With each beat it runs `ops.recovery.recovery_sweep` (the tasks of workers that
stopped beating are failed, and their formation runs with them) and, once as it starts
and then with each beat, ticks the scheduler, which claims and queues the periodic jobs
that are due (ops.scheduler: each due run once across all workers), so no cron is
needed. With `--batch` (drain the queue and stop) it does not tick. When it serves the
formation queue, it loads the grouping engine's compiled kernels before taking the first
task, so a formation's time budget is spent searching, not compiling.
"""

import logging
import os
import socket
import threading
import uuid

from django.db import close_old_connections, connections
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from peergroups.ops.recovery import recovery_sweep
from peergroups.ops.scheduler import scheduler_tick
from peergroups.ops.services import (
    HEARTBEAT_SECONDS,
    statement_timeout_lift,
    worker_heartbeat,
    worker_stopped,
)

logger = logging.getLogger(__name__)

ENGINE_QUEUES = {"*", "formation"}


class Command(DbWorkerCommand):
    help = (
        "Run background tasks (db_worker), with a heartbeat for /readyz, the periodic jobs "
        "(no cron needed) and a warm engine."
    )

    def handle(self, *args, **options):
        if (
            options.get("reload")
            and not options.get("batch")
            and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        ):
            # With --reload (DEBUG's default) this process only watches the code and runs
            # the command again in a child, which does the work: only the child beats and
            # loads the engine (one heartbeat per worker, not two).
            return super().handle(*args, **options)
        # A formation's bulk writes may take longer than a web request's limit.
        statement_timeout_lift()
        worker_id = options.get("worker_id") or uuid.uuid4().hex[:12]
        options["worker_id"] = worker_id
        queues = options.get("queue_name") or "default"
        if ENGINE_QUEUES & set(queues.split(",")):
            warm_engine()
        started_at = timezone.now()
        host = f"{socket.gethostname()}:{os.getpid()}"
        # The first beat before any task, so /readyz sees the worker as soon as it runs.
        worker_heartbeat(worker_id=worker_id, queues=queues, host=host, started_at=started_at)
        schedule = not options.get("batch")
        if schedule:
            _tick(f"{worker_id} {host}")
        stop = threading.Event()
        beat = threading.Thread(
            target=_beat,
            kwargs={
                "stop": stop,
                "worker_id": worker_id,
                "queues": queues,
                "host": host,
                "started_at": started_at,
                "schedule": schedule,
            },
            name="worker-heartbeat",
            daemon=True,
        )
        beat.start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
            beat.join(timeout=HEARTBEAT_SECONDS)
            worker_stopped(worker_id=worker_id)


def warm_engine() -> None:
    """Load (or compile, on a first run) the engine's kernels before any task starts."""
    import grouping  # only worker processes load the engine

    grouping.warm_up()
    logger.info("grouping engine warmed up")


def _tick(worker_id: str) -> None:
    try:
        scheduler_tick(worker_id=worker_id)
    except Exception:  # noqa: BLE001 - the next beat ticks again; the worker goes on
        logger.exception("scheduler tick failed")


def _beat(
    *, stop: threading.Event, worker_id: str, queues: str, host: str, started_at, schedule: bool
) -> None:
    try:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                close_old_connections()
                worker_heartbeat(
                    worker_id=worker_id, queues=queues, host=host, started_at=started_at
                )
                # Any live worker notices the dead ones and fails what they held.
                if failed := recovery_sweep():
                    logger.warning("failed %s task(s) of workers that stopped beating", failed)
            except Exception:  # noqa: BLE001 - a missed beat must never stop the worker
                logger.exception("worker heartbeat failed")
            if schedule:
                _tick(f"{worker_id} {host}")
    finally:
        connections.close_all()
