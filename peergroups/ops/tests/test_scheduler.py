"""Periodic jobs inside the workers: schedules, claim once, catch up once, /readyz on late."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from conftest import race
from peergroups.ops import scheduler
from peergroups.ops.models import ScheduledRun
from peergroups.ops.scheduler import (
    daily,
    hourly,
    late_jobs,
    periodic_job,
    quarter_hourly,
    scheduled_job_run,
    scheduler_tick,
)
from peergroups.ops.services import worker_heartbeat

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


def tally() -> int:
    CALLS.append("tally")
    return len(CALLS)


def explode() -> None:
    raise RuntimeError("mail server down")


@pytest.fixture
def jobs(monkeypatch):
    """A registry of our own for the test (the project's five jobs are not in it)."""
    monkeypatch.setattr(scheduler, "JOBS", {})
    CALLS.clear()
    yield scheduler.JOBS
    CALLS.clear()


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_hourly_and_daily_schedules_give_the_latest_due_time():
    assert hourly().latest(at(2027, 3, 4, 10, 37, 12)) == at(2027, 3, 4, 10)
    assert hourly().latest(at(2027, 3, 4, 10)) == at(2027, 3, 4, 10)  # due on the dot
    assert hourly(minute=30).latest(at(2027, 3, 4, 10, 29, 59)) == at(2027, 3, 4, 9, 30)
    assert daily(hour=2).latest(at(2027, 3, 4, 1, 59)) == at(2027, 3, 3, 2)
    assert daily(hour=2).latest(at(2027, 3, 4, 2)) == at(2027, 3, 4, 2)
    assert daily(hour=7).latest(at(2027, 1, 1, 0, 5)) == at(2026, 12, 31, 7)  # across a year
    assert daily(hour=7).latest(at(2028, 3, 1, 6)) == at(2028, 2, 29, 7)  # a leap day
    # Aware times in other zones mean the same instant.
    from zoneinfo import ZoneInfo

    auckland = datetime(2027, 3, 4, 14, 10, tzinfo=ZoneInfo("Pacific/Auckland"))  # 01:10 UTC
    assert daily(hour=2).latest(auckland) == at(2027, 3, 3, 2)


def test_quarter_hourly_comes_due_at_each_zones_midnight():
    from zoneinfo import ZoneInfo

    every = quarter_hourly()
    assert every.latest(at(2027, 3, 4, 10, 14, 59)) == at(2027, 3, 4, 10)
    assert every.latest(at(2027, 3, 4, 10, 15)) == at(2027, 3, 4, 10, 15)
    assert every.latest(at(2027, 1, 1, 0, 0, 30)) == at(2027, 1, 1)  # across a year
    for zone in ("Asia/Kathmandu", "Asia/Kolkata", "Australia/Adelaide", "America/St_Johns"):
        midnight = datetime(2027, 4, 1, tzinfo=ZoneInfo(zone))  # +5:45, +5:30, +10:30, -2:30
        assert every.latest(midnight + timedelta(seconds=5)) == midnight


def test_the_periodic_jobs_are_registered_with_the_readme_schedules():
    described = {name: job.schedule.description for name, job in scheduler.JOBS.items()}
    assert described == {
        "send_pulses": "hourly at :00",
        "send_meeting_reminders": "hourly at :00",
        "extend_meeting_series": "daily at 02:00 UTC",
        "send_goal_reminders": "daily at 07:00 UTC",
        "send_invitation_reminders": "daily at 08:00 UTC",
        "expire_group_content": "daily at 03:00 UTC",
        "send_group_welcomes": "hourly at :15",
        "send_meeting_invitations": "hourly at :30",
        "keep_program_outcomes": "every quarter hour",
    }
    assert {job.queue for job in scheduler.JOBS.values()} == {"default"}


def test_a_job_name_is_registered_once(jobs):
    periodic_job("tally", tally, hourly())
    with pytest.raises(ImproperlyConfigured, match="'tally' is registered twice"):
        periodic_job("tally", tally, daily(hour=3))


def test_a_tick_claims_each_due_run_once_and_a_worker_runs_it(jobs, run_tasks):
    periodic_job("tally", tally, hourly())
    periodic_job("tally_daily", tally, daily(hour=2), queue="formation")
    now = at(2027, 3, 4, 10, 5)
    claimed = scheduler_tick(now=now, worker_id="w1")
    assert [(run.job, run.due_at) for run in claimed] == [
        ("tally", at(2027, 3, 4, 10)),
        ("tally_daily", at(2027, 3, 4, 2)),
    ]
    assert scheduler_tick(now=now + timedelta(seconds=10), worker_id="w2") == []
    queued = DBTaskResult.objects.order_by("queue_name")
    assert [(t.queue_name, t.task_path) for t in queued] == [
        ("default", "peergroups.ops.scheduler.scheduled_job_run"),
        ("formation", "peergroups.ops.scheduler.scheduled_job_run"),
    ]
    # Runs queued before the task moved to `ops.scheduler` name its old module.
    assert import_string("peergroups.ops.tasks.scheduled_job_run") is scheduled_job_run
    run_tasks()
    assert CALLS == ["tally", "tally"]
    assert all(run.finished_at is not None for run in ScheduledRun.objects.all())
    # The next hour is a new due run of the hourly job only.
    assert [run.job for run in scheduler_tick(now=at(2027, 3, 4, 11, 0, 1))] == ["tally"]


def test_runs_missed_while_no_worker_ran_catch_up_once(jobs, run_tasks):
    periodic_job("tally", tally, hourly())
    periodic_job("tally_daily", tally, daily(hour=2))
    scheduler_tick(now=at(2027, 3, 4, 10, 5))
    run_tasks()
    assert len(CALLS) == 2
    # Three days and five hours of downtime: 77 hourly and 3 daily ticks were missed.
    after = at(2027, 3, 7, 15, 20)
    claimed = scheduler_tick(now=after)
    assert [(run.job, run.due_at) for run in claimed] == [
        ("tally", at(2027, 3, 7, 15)),
        ("tally_daily", at(2027, 3, 7, 2)),
    ]
    assert scheduler_tick(now=after + timedelta(minutes=1)) == []
    run_tasks()
    assert len(CALLS) == 4
    assert ScheduledRun.objects.count() == 4


def test_a_failed_run_is_recorded_and_not_retried_before_its_next_due_time(jobs, run_tasks):
    periodic_job("explode", explode, hourly())
    scheduler_tick(now=at(2027, 3, 4, 10, 5))
    run_tasks()
    run = ScheduledRun.objects.get()
    assert run.finished_at is None and run.failed_at is not None
    assert "mail server down" in run.error
    assert DBTaskResult.objects.get().status == "FAILED"
    assert scheduler_tick(now=at(2027, 3, 4, 10, 50)) == []
    assert len(scheduler_tick(now=at(2027, 3, 4, 11, 1))) == 1


def test_old_runs_are_pruned_as_new_ones_are_claimed(jobs):
    periodic_job("tally", tally, daily(hour=2))
    scheduler_tick(now=at(2027, 1, 1, 3))
    scheduler_tick(now=at(2027, 1, 20, 3))
    assert ScheduledRun.objects.count() == 2
    scheduler_tick(now=at(2027, 2, 5, 3))
    assert list(ScheduledRun.objects.order_by("due_at").values_list("due_at", flat=True)) == [
        at(2027, 1, 20, 2),
        at(2027, 2, 5, 2),
    ]


def test_the_worker_command_ticks_as_it_starts_and_runs_the_jobs(jobs, monkeypatch):
    """`manage.py worker` (what `make run` starts) runs the due jobs with no cron."""
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    periodic_job("tally", tally, hourly())
    periodic_job("tally_daily", tally, daily(hour=2))
    call_command(
        "worker",
        queue_name="default",
        max_tasks=2,
        interval=0,
        reload=False,
        startup_delay=False,
        worker_id="make-run",
        verbosity=0,
    )
    assert CALLS == ["tally", "tally"]
    runs = ScheduledRun.objects.all()
    assert len(runs) == 2
    assert all(run.finished_at and run.claimed_by.startswith("make-run ") for run in runs)


def test_a_batch_worker_drains_the_queue_without_ticking(jobs, run_tasks):
    periodic_job("tally", tally, hourly())
    run_tasks()  # `db_worker --batch`, as the tests and one-off drains run it
    assert CALLS == [] and not ScheduledRun.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_ticks_claim_each_due_run_exactly_once(jobs):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent claimers need PostgreSQL")
    periodic_job("tally", tally, hourly())
    periodic_job("tally_daily", tally, daily(hour=2))
    now = at(2027, 3, 4, 10, 5)
    results = race(*[lambda i=i: scheduler_tick(now=now, worker_id=f"w{i}") for i in range(8)])
    assert not [r for r in results if isinstance(r, Exception)], results
    claimed = [run.job for runs in results for run in runs]
    assert sorted(claimed) == ["tally", "tally_daily"]
    assert ScheduledRun.objects.count() == 2
    assert DBTaskResult.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_tick_that_loses_the_insert_race_claims_nothing(jobs):
    """Both claimers read "not claimed"; the unique (job, due time) lets one insert win."""
    from django.db import connections

    if connection.vendor != "postgresql":
        pytest.skip("two open transactions need PostgreSQL")
    periodic_job("tally", tally, hourly())
    now = at(2027, 3, 4, 10, 5)
    first_claimed = threading.Event()
    release = threading.Event()
    outcome: dict = {}

    def first():
        try:
            with transaction.atomic():
                outcome["first"] = scheduler_tick(now=now, worker_id="first")
                first_claimed.set()
                release.wait(30)  # holds the uncommitted claim while the second tries
        finally:
            connections.close_all()

    def second():
        try:
            outcome["second"] = scheduler_tick(now=now, worker_id="second")
        finally:
            connections.close_all()

    holder = threading.Thread(target=first)
    holder.start()
    assert first_claimed.wait(30)
    contender = threading.Thread(target=second)
    contender.start()
    time.sleep(0.5)  # the contender's insert now waits on the holder's uncommitted row
    assert contender.is_alive()
    release.set()
    holder.join(30)
    contender.join(30)
    assert len(outcome["first"]) == 1 and outcome["second"] == []
    assert list(ScheduledRun.objects.values_list("claimed_by", flat=True)) == ["first"]
    assert DBTaskResult.objects.count() == 1


def test_readyz_reports_a_job_that_did_not_run_when_due(client, jobs, run_tasks, time_machine):
    periodic_job("tally", tally, hourly())
    time_machine.move_to(at(2027, 3, 4, 10, 45), tick=False)
    worker_heartbeat(worker_id="w1", queues="*", host="h:1", started_at=at(2027, 3, 4))
    # Due at 10:00, 45 minutes ago, and no worker ticked: late.
    response = client.get(reverse("ops-readyz"))
    assert response.status_code == 503
    body = response.json()
    assert body["problem"] == "Periodic job late: tally."
    assert body["late_jobs"] == [
        {
            "job": "tally",
            "schedule": "hourly at :00",
            "due_at": "2027-03-04T10:00:00+00:00",
            "reason": "not claimed by any worker (queue 'default')",
        }
    ]
    # A worker that starts now claims it and is given its time to run it.
    scheduler_tick()
    assert client.get(reverse("ops-readyz")).status_code == 200
    time_machine.shift(timedelta(minutes=31))
    worker_heartbeat(worker_id="w1", queues="*", host="h:1", started_at=at(2027, 3, 4))
    late = client.get(reverse("ops-readyz")).json()["late_jobs"]
    assert [job["reason"] for job in late] == ["claimed at 2027-03-04 10:45 UTC and not finished"]
    run_tasks()
    response = client.get(reverse("ops-readyz"))
    assert response.status_code == 200
    assert response.json()["late_jobs"] == []


def test_readyz_reports_a_job_whose_run_failed(client, jobs, run_tasks, time_machine):
    periodic_job("explode", explode, hourly())
    time_machine.move_to(at(2027, 3, 4, 10, 1), tick=False)
    worker_heartbeat(worker_id="w1", queues="*", host="h:1", started_at=at(2027, 3, 4))
    scheduler_tick()
    run_tasks()
    # Reported at once: a failed run is not retried before its next due time.
    response = client.get(reverse("ops-readyz"))
    assert response.status_code == 503
    (late,) = response.json()["late_jobs"]
    assert late["job"] == "explode"
    assert late["reason"].startswith("failed at 2027-03-04 10:01 UTC: RuntimeError(")
    # The next due run succeeds: no longer late.
    jobs["explode"] = scheduler.PeriodicJob("explode", tally, hourly())  # fixed
    time_machine.move_to(at(2027, 3, 4, 11, 0, 5), tick=False)
    worker_heartbeat(worker_id="w1", queues="*", host="h:1", started_at=at(2027, 3, 4))
    scheduler_tick()
    run_tasks()
    assert client.get(reverse("ops-readyz")).status_code == 200


def test_late_jobs_is_quiet_while_every_job_ran(jobs, run_tasks):
    periodic_job("tally", tally, hourly())
    periodic_job("tally_daily", tally, daily(hour=2))
    scheduler_tick(now=at(2027, 3, 4, 10, 5))
    run_tasks()
    assert late_jobs(now=at(2027, 3, 4, 10, 50)) == []
    assert [job["job"] for job in late_jobs(now=at(2027, 3, 4, 11, 31))] == ["tally"]
