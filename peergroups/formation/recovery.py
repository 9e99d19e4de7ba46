"""A formation run (or a publish) whose worker died is failed with a sentence saying so,
so the program is never blocked by a run that will never finish.

`ops.recovery` fails the tasks of dead workers; this module then fails each run still
RUNNING or PUBLISHING with no task left alive to finish it (queued or running on a live
worker). Every live worker sweeps with each heartbeat, and starting a run sweeps the
program's organization first, so even with no worker alive a new run is never refused
because of a dead one.
"""

from datetime import datetime

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from peergroups.formation.models import FormationRun, RunStatus
from peergroups.ops.recovery import recovery_sweep
from peergroups.ops.services import WORKER_STALE_AFTER

RUN_TASKS = (
    "peergroups.formation.tasks.formation_run_task",
    "peergroups.formation.execute.formation_part_task",
)
PUBLISH_TASK = "peergroups.formation.publish.formation_run_publish_task"

RUN_LOST = (
    "The worker running this formation stopped before it finished (it was restarted, "
    "or ran out of memory); nothing was changed. Start the run again."
)
PUBLISH_LOST = (
    "The worker publishing this proposal stopped before it finished (it was restarted, "
    "or ran out of memory); nothing was published. Publish again."
)


def _alive_run_ids(task_paths: tuple[str, ...], run_ids: list[int]) -> set[int]:
    """Runs with a task that may still finish them: queued, or running (dead workers'
    tasks were failed by the sweep before this is read)."""
    alive = DBTaskResult.objects.filter(
        task_path__in=task_paths,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        args_kwargs__args__0__in=run_ids,
    )
    return {result.args_kwargs["args"][0] for result in alive.only("args_kwargs")}


def formation_runs_orphaned_fail(
    *, now: datetime | None = None, organization_id: int | None = None
) -> int:
    """Fail runs left running, and give back publishes left publishing, by dead workers.

    Only runs older than WORKER_STALE_AFTER are judged (a run just claimed may not have
    its task row visible yet). Returns how many were put right.
    """
    now = now or timezone.now()
    active = FormationRun.objects.filter(
        status__in=[RunStatus.RUNNING, RunStatus.PUBLISHING],
        started_at__lt=now - WORKER_STALE_AFTER,
    )
    if organization_id is not None:
        active = active.filter(organization_id=organization_id)
    runs = dict(active.values_list("pk", "status"))
    if not runs:
        return 0
    running = [pk for pk, status in runs.items() if status == RunStatus.RUNNING]
    publishing = [pk for pk, status in runs.items() if status == RunStatus.PUBLISHING]
    fixed = 0
    if running:
        orphans = set(running) - _alive_run_ids(RUN_TASKS, running)
        fixed += FormationRun.objects.filter(pk__in=orphans, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED, error=RUN_LOST, finished_at=now
        )
    if publishing:
        orphans = set(publishing) - _alive_run_ids((PUBLISH_TASK,), publishing)
        fixed += FormationRun.objects.filter(pk__in=orphans, status=RunStatus.PUBLISHING).update(
            status=RunStatus.DONE, publish_progress=0.0, publish_error=PUBLISH_LOST
        )
    return fixed


def formation_recover() -> None:
    """Before counting active runs: fail what dead workers left (the sweep's signal
    reaches `on_recovery_swept`)."""
    recovery_sweep()


def on_recovery_swept(sender, *, now: datetime, **kwargs) -> None:
    formation_runs_orphaned_fail(now=now)
