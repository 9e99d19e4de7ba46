"""Worker heartbeats: written by each `manage.py worker`, read by the readiness check."""

from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from peergroups.ops.models import WorkerHeartbeat

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
    """Whether this deployment can do its work: the database answers and a worker is alive."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    since = timezone.now() - WORKER_STALE_AFTER
    workers = list(
        WorkerHeartbeat.objects.filter(seen_at__gte=since).values_list("queues", flat=True)
    )
    checks = {"database": "ok", "workers": len(workers)}
    if not workers:
        checks["problem"] = "No task worker has been seen in the last minute."
    return bool(workers), checks
