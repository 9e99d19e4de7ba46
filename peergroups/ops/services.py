"""Worker heartbeats: written by each `manage.py worker`, read by the readiness check."""

from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from peergroups.ops.models import WorkerHeartbeat
from peergroups.ops.scheduler import late_jobs

# A worker beats every HEARTBEAT_SECONDS; one silent for WORKER_STALE_AFTER is gone.
HEARTBEAT_SECONDS = 10
WORKER_STALE_AFTER = timedelta(seconds=60)


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


def readiness() -> tuple[bool, dict]:
    """Whether this deployment can do its work: the database answers, a worker is alive and
    no periodic job is late."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    since = timezone.now() - WORKER_STALE_AFTER
    workers = list(
        WorkerHeartbeat.objects.filter(seen_at__gte=since).values_list("queues", flat=True)
    )
    checks = {"database": "ok", "workers": len(workers)}
    problems = []
    if not workers:
        problems.append("No task worker has been seen in the last minute.")
    jobs, jobs_problem = jobs_check()
    checks.update(jobs)
    if jobs_problem:
        problems.append(jobs_problem)
    if problems:
        checks["problem"] = " ".join(problems)
    return not problems, checks


def jobs_check() -> tuple[dict, str | None]:
    """Whether every periodic job ran when it was due (ops.scheduler): the late ones, named."""
    late = late_jobs()
    if not late:
        return {"late_jobs": []}, None
    names = ", ".join(job["job"] for job in late)
    return {"late_jobs": late}, f"Periodic job{'s' if len(late) > 1 else ''} late: {names}."
