"""Worker heartbeats and the probes: written by each `manage.py worker`, read by
`/healthz` and `/readyz`.

`readiness()` runs a list of named checks (`READINESS_CHECKS`); a check is a function
that returns a `Check`. Add one by appending it to the list.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from peergroups.ops.models import WorkerHeartbeat
from peergroups.ops.scheduler import late_jobs

# A worker beats every HEARTBEAT_SECONDS; one silent for WORKER_STALE_AFTER (three missed
# beats) is gone: /readyz stops counting it and its running tasks are failed
# (`ops.recovery`).
HEARTBEAT_SECONDS = settings.WORKER_HEARTBEAT_SECONDS
WORKER_STALE_AFTER = timedelta(seconds=3 * HEARTBEAT_SECONDS)
# A probe's own query never waits longer than this (PostgreSQL); connecting is bounded by
# the connection's `connect_timeout` (`env.parse_database_url`).
PROBE_STATEMENT_TIMEOUT_MS = 2000


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: object  # what the probe shows under `name`: "ok", a count, a list
    problem: str = ""  # a sentence for the operator when not ok


def worker_heartbeat(*, worker_id: str, queues: str, host: str, started_at: datetime) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "queues": queues[:200],
            "host": host[:200],
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


def worker_stopped(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def statement_timeout_lift() -> None:
    """This process's new PostgreSQL connections get WORKER_STATEMENT_TIMEOUT (a worker's
    bulk writes may outlast a web request's DATABASE_STATEMENT_TIMEOUT)."""
    for entry in settings.DATABASES.values():
        options = entry.get("OPTIONS", {})
        if "statement_timeout=" in options.get("options", ""):
            options["options"] = re.sub(
                r"statement_timeout=\d+",
                f"statement_timeout={settings.WORKER_STATEMENT_TIMEOUT * 1000}",
                options["options"],
            )


def live_workers(*, now: datetime | None = None) -> list[WorkerHeartbeat]:
    since = (now or timezone.now()) - WORKER_STALE_AFTER
    return list(WorkerHeartbeat.objects.filter(seen_at__gte=since))


def task_queues() -> list[str]:
    """Every queue the task backend serves: each needs a live worker."""
    return list(settings.TASKS["default"].get("QUEUES") or ["default"])


def check_database() -> Check:
    """The database answers a query, within the probe's timeouts."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SET LOCAL statement_timeout = {PROBE_STATEMENT_TIMEOUT_MS}")
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        # Never a traceback page: the balancer needs a status, the operator a reason.
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return Check("database", False, "unreachable", f"The database does not answer: {reason}")
    return Check("database", True, "ok")


def check_workers() -> Check:
    """A live worker (heartbeat within WORKER_STALE_AFTER) for each queue."""
    served: dict[str, int] = dict.fromkeys(task_queues(), 0)
    workers = live_workers()
    for worker in workers:
        names = set(worker.queues.split(","))
        for queue in served:
            if queue in names or "*" in names:
                served[queue] += 1
    missing = [queue for queue, count in served.items() if not count]
    if missing:
        return Check(
            "workers",
            False,
            served,
            "No task worker has been seen in the last "
            f"{int(WORKER_STALE_AFTER.total_seconds())} s for the queue(s): "
            + ", ".join(missing)
            + ".",
        )
    return Check("workers", True, served)


def check_jobs() -> Check:
    """Every periodic job ran when it was due (ops.scheduler): the late ones, named."""
    late = late_jobs()
    if not late:
        return Check("late_jobs", True, [])
    names = ", ".join(job["job"] for job in late)
    return Check(
        "late_jobs", False, late, f"Periodic job{'s' if len(late) > 1 else ''} late: {names}."
    )


# What /readyz requires, in order; the database first, since the others read it.
READINESS_CHECKS: list[Callable[[], Check]] = [
    check_database,
    check_workers,
    check_jobs,
]


def health() -> tuple[bool, dict]:
    """For the load balancer: this process is up and the database answers."""
    database = check_database()
    body = {"status": "ok" if database.ok else "unavailable", "database": database.detail}
    if not database.ok:
        body["problem"] = database.problem
    return database.ok, body


def readiness() -> tuple[bool, dict]:
    """Whether this deployment can do its work: every check of READINESS_CHECKS passes.

    A check after a failed database check is not run (it would only fail the same way).
    """
    body: dict = {}
    problems: list[str] = []
    for check_of in READINESS_CHECKS:
        check = check_of()
        body[check.name] = check.detail
        if not check.ok:
            problems.append(check.problem)
            if check.name == "database":
                break
    if problems:
        body["problem"] = " ".join(problems)
    return not problems, body
