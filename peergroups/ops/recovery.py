"""Work whose worker died is noticed by the worker's heartbeat, and failed, never left
"running" for ever.

A worker killed outright (an out-of-memory kill, a supervisor's stop timeout, a lost
machine) runs no `finally`: its task row stays RUNNING and its heartbeat row stops
moving. `recovery_sweep()` (every live worker runs it with each beat; services that must
not be blocked by a dead run call it too) fails the RUNNING tasks of workers not seen for
WORKER_STALE_AFTER, drops their heartbeat rows, and then sends `recovery_swept` so apps
above can put their own rows right (a formation run, a publish): ops cannot import them.
"""

from datetime import datetime

from django.dispatch import Signal
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from peergroups.ops.models import WorkerHeartbeat
from peergroups.ops.services import WORKER_STALE_AFTER

WORKER_LOST = "peergroups.ops.recovery.WorkerLost"
WORKER_LOST_REASON = (
    "The worker running this task stopped without finishing it (killed, out of memory or "
    "restarted); its heartbeat stopped at {seen}."
)

# Sent after every sweep, with `now`: receivers fail their own rows left by dead workers.
recovery_swept = Signal()


class WorkerLost(Exception):
    """Recorded as a task's exception class when its worker died under it."""


def tasks_abandoned_fail(*, now: datetime | None = None) -> list[DBTaskResult]:
    """Fail every RUNNING task whose worker has not beaten within WORKER_STALE_AFTER.

    Returns the tasks failed. Each is failed by a conditional update, so two sweeps
    running at once fail it once.
    """
    now = now or timezone.now()
    since = now - WORKER_STALE_AFTER
    live = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=since).values_list("worker_id", flat=True)
    )
    last_seen = dict(WorkerHeartbeat.objects.values_list("worker_id", "seen_at"))
    failed = []
    # Running tasks are at most one per worker: a short list.
    for result in DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=since
    ).defer("return_value"):
        worker_id = (result.worker_ids or [""])[-1]
        if worker_id in live:
            continue
        seen = last_seen.get(worker_id)
        reason = WORKER_LOST_REASON.format(seen=seen.isoformat() if seen else "an unknown time")
        if DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=WORKER_LOST,
            traceback=reason,
        ):
            failed.append(result)
    # A dead worker's heartbeat expires: it no longer counts, and after a restore of a
    # recent backup no stale row can make /readyz say ready.
    WorkerHeartbeat.objects.filter(seen_at__lt=since).delete()
    return failed


def tasks_of_worker_fail(*, worker_id: str) -> int:
    """Fail the tasks a live worker left RUNNING when its database connection broke
    under them (it holds none now); then sweep, so their formation runs follow."""
    held = [
        result.pk
        for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
            "worker_ids"
        )
        if (result.worker_ids or [""])[-1] == worker_id
    ]
    failed = DBTaskResult.objects.filter(pk__in=held, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=WORKER_LOST,
        traceback="The worker lost its database connection while running this task.",
    )
    recovery_sweep()
    return failed


def recovery_sweep(*, now: datetime | None = None) -> int:
    """Fail the tasks of dead workers, then let every app put its own rows right."""
    now = now or timezone.now()
    failed = tasks_abandoned_fail(now=now)
    recovery_swept.send(sender=WorkerLost, now=now)
    return len(failed)
