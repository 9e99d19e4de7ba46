"""Periodic jobs run by the task workers: the registry, the schedule arithmetic and the tick.

Each app registers its jobs in a `jobs.py` module (found by name when ops is ready, so
ops imports no app above it), one line each:

    periodic_job("send_pulses", pulses_send_now, hourly())

Every `manage.py worker` calls `scheduler_tick()` as it starts and then with each
heartbeat. A tick claims, for each job, the latest due time that has come, by inserting
a `ScheduledRun` row whose (job, due time) is unique: one insert wins whatever the
number of workers and machines, and it queues the job's task in the same transaction
(the job runs on its queue, on whichever worker takes it). Only the latest due time is
ever claimed, so runs missed while no worker ran catch up once, not once per missed
tick. `late_jobs()` tells `/readyz` which job has not run when it should have.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from dateutil import rrule
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from peergroups.ops.models import ScheduledRun

logger = logging.getLogger(__name__)

# A run that has not finished this long after it was due (or claimed, for a worker that
# started late) makes /readyz report the job as late, unless a job says otherwise.
LATE_AFTER = timedelta(minutes=30)
# Claimed runs are kept this long (for /readyz and whoever asks "did it run?").
RUNS_KEPT = timedelta(days=30)


@dataclass(frozen=True)
class Schedule:
    """When a job is due: an `rrule` frequency and its by-rules, in UTC.

    `period` is the longest gap between two due times; the arithmetic looks that far
    back (twice), so it never iterates from an old start date.
    """

    frequency: int
    period: timedelta
    description: str
    rules: dict = field(default_factory=dict)

    def latest(self, moment: datetime) -> datetime | None:
        """The last due time at or before `moment` (aware, UTC)."""
        moment = moment.astimezone(UTC)
        start = (moment - 2 * self.period).replace(second=0, microsecond=0)
        return rrule.rrule(self.frequency, dtstart=start, **self.rules).before(moment, inc=True)


def hourly(*, minute: int = 0) -> Schedule:
    return Schedule(
        rrule.HOURLY,
        timedelta(hours=1),
        f"hourly at :{minute:02d}",
        {"byminute": minute, "bysecond": 0},
    )


def quarter_hourly() -> Schedule:
    """At :00, :15, :30 and :45: every zone's midnight is one of them (UTC offsets are
    whole quarter hours), so a job that waits for a local month to turn runs within
    a tick of it."""
    return Schedule(
        rrule.HOURLY,
        timedelta(minutes=15),
        "every quarter hour",
        {"byminute": (0, 15, 30, 45), "bysecond": 0},
    )


def daily(*, hour: int, minute: int = 0) -> Schedule:
    return Schedule(
        rrule.DAILY,
        timedelta(days=1),
        f"daily at {hour:02d}:{minute:02d} UTC",
        {"byhour": hour, "byminute": minute, "bysecond": 0},
    )


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    run: Callable[[], object]
    schedule: Schedule
    queue: str = "default"
    late_after: timedelta = LATE_AFTER


JOBS: dict[str, PeriodicJob] = {}


def periodic_job(
    name: str,
    run: Callable[[], object],
    schedule: Schedule,
    *,
    queue: str = "default",
    late_after: timedelta = LATE_AFTER,
) -> PeriodicJob:
    """Register a job: `run()` is called on `queue` each time `schedule` comes due.

    `run` must be safe to call again (the jobs keep their own "sent once" rows), because
    a run that fails is not retried until its next due time.
    """
    if name in JOBS:
        raise ImproperlyConfigured(f"Periodic job {name!r} is registered twice.")
    job = PeriodicJob(name=name, run=run, schedule=schedule, queue=queue, late_after=late_after)
    JOBS[name] = job
    return job


def registered_job(name: str) -> PeriodicJob | None:
    return JOBS.get(name)


def scheduler_tick(*, now: datetime | None = None, worker_id: str = "") -> list[ScheduledRun]:
    """Claim and queue every job's latest due run not claimed yet; returns the runs claimed."""
    now = now or timezone.now()
    due = {name: job.schedule.latest(now) for name, job in JOBS.items()}
    due = {name: when for name, when in due.items() if when is not None}
    if not due:
        return []
    taken = set(
        ScheduledRun.objects.filter(job__in=due, due_at__gte=min(due.values())).values_list(
            "job", "due_at"
        )
    )
    claimed = []
    for name, due_at in sorted(due.items()):
        if (name, due_at) in taken:
            continue
        job = JOBS[name]
        try:
            # The task first, so the claim row carries its id; a lost claim (the unique
            # key) rolls both back.
            with transaction.atomic():
                result = scheduled_job_run.using(queue_name=job.queue).enqueue(
                    job=name, due_at=due_at.isoformat()
                )
                run = ScheduledRun.objects.create(
                    job=name,
                    due_at=due_at,
                    claimed_at=now,
                    claimed_by=worker_id[:200],
                    task_id=str(result.id),
                )
        except IntegrityError:
            continue  # another worker claimed it first
        logger.info("scheduled %s due at %s", name, due_at.isoformat())
        claimed.append(run)
    if claimed:
        ScheduledRun.objects.filter(due_at__lt=now - RUNS_KEPT).delete()
    return claimed


def scheduled_run_finished(
    *, job: str, due_at: datetime, error: BaseException | None = None
) -> None:
    now = timezone.now()
    runs = ScheduledRun.objects.filter(job=job, due_at=due_at)
    if error is None:
        runs.update(finished_at=now)
    else:
        runs.update(failed_at=now, error=repr(error)[:500])


@task()
def scheduled_job_run(job: str, due_at: str) -> object:
    """The one task every periodic job runs as: run `job` for its run due at `due_at`
    (ISO 8601) and record the end; a failure is recorded (for /readyz) and raised.

    It sits beside the tick that queues it and the registry it reads, so the module has
    no circle with a task module (`ops/tasks.py` keeps the old name for queued rows).
    """
    due = datetime.fromisoformat(due_at)
    periodic = registered_job(job)
    try:
        if periodic is None:
            raise LookupError(f"No periodic job named {job!r} is registered.")
        result = periodic.run()
    except Exception as error:
        scheduled_run_finished(job=job, due_at=due, error=error)
        raise
    scheduled_run_finished(job=job, due_at=due)
    logger.info("periodic job %s: %s", job, result)
    return result


def late_jobs(*, now: datetime | None = None, names: Iterable[str] | None = None) -> list[dict]:
    """The jobs whose latest due run should have finished by now and has not, or failed.

    A run is expected `late_after` after its due time, or after it was claimed when a
    worker claimed it late (after downtime), so a deployment that just started is not
    reported for runs it is catching up on. A job whose latest run failed is reported at
    once (it is not retried before its next due time).
    """
    now = now or timezone.now()
    jobs = [JOBS[name] for name in (names if names is not None else JOBS) if name in JOBS]
    expected = {}
    for job in jobs:
        due_at = job.schedule.latest(now - job.late_after)
        if due_at is not None:
            expected[job.name] = due_at
    if not expected:
        return []
    runs: dict[str, list[ScheduledRun]] = {name: [] for name in expected}
    for run in ScheduledRun.objects.filter(
        job__in=expected, due_at__gte=min(expected.values())
    ).order_by("due_at"):
        runs[run.job].append(run)
    late = []
    for name, due_at in sorted(expected.items()):
        job = JOBS[name]
        mine = [run for run in runs[name] if run.due_at >= due_at]
        if mine and mine[-1].failed_at is not None:
            run = mine[-1]
            reason = f"failed at {run.failed_at:%Y-%m-%d %H:%M} UTC: {run.error}"
        elif any(run.finished_at is not None for run in mine):
            continue
        elif not mine:
            reason = f"not claimed by any worker (queue {job.queue!r})"
        elif mine[-1].claimed_at > now - job.late_after:
            continue  # claimed late, after downtime: give it its time
        else:
            reason = f"claimed at {mine[-1].claimed_at:%Y-%m-%d %H:%M} UTC and not finished"
        late.append(
            {
                "job": name,
                "schedule": job.schedule.description,
                "due_at": due_at.isoformat(),
                "reason": reason,
            }
        )
    return late
