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
import time
import uuid

from django.core.management.base import CommandError
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
)
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from peergroups.ops.recovery import recovery_sweep, tasks_of_worker_fail
from peergroups.ops.scheduler import scheduler_tick
from peergroups.ops.services import (
    HEARTBEAT_SECONDS,
    worker_heartbeat,
    worker_stopped,
)

logger = logging.getLogger(__name__)

ENGINE_QUEUES = {"*", "formation"}
RECONNECT_SECONDS = 2


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
            if options.get("reload") and not options.get("batch"):
                return super().handle(*args, **options)  # development: the reloader's child
            return self._work(**options)
        finally:
            stop.set()
            beat.join(timeout=HEARTBEAT_SECONDS)
            try:
                worker_stopped(worker_id=worker_id)
            except DatabaseError:  # the database is gone: the row expires by itself
                logger.warning("could not remove the heartbeat of %s", worker_id)

    def _work(self, *, verbosity, queue_name, exclude_queues, **options) -> None:
        """db_worker's handle, with a worker that outlives a lost database connection."""
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()


class ResilientWorker(Worker):
    """django-tasks-db's worker, which exits on the first database error that is not a
    lock (a restarted server, a cut connection): this one waits and goes on, and fails
    the task it held if the connection broke under it (it cannot finish now)."""

    def run(self) -> None:
        lost = False
        while True:
            try:
                if lost:
                    tasks_of_worker_fail(worker_id=self.worker_id)
                    logger.warning("database connection back; worker %s goes on", self.worker_id)
                return super().run()
            except (OperationalError, InterfaceError) as error:
                if self.batch or not self.running:
                    raise
                lost = True
                self.running_task = False
                logger.error(
                    "lost the database connection (%s); trying again in %s s",
                    str(error).strip().splitlines()[0] if str(error).strip() else error,
                    RECONNECT_SECONDS,
                )
                connections.close_all()
                time.sleep(RECONNECT_SECONDS)


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
