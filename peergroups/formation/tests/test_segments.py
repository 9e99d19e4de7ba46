"""A large run "by region" runs as one task per segment, on however many workers run.

The last part to finish assembles the proposal, exactly once (the run's row lock
orders the parts' ends); a segment that cannot be grouped fails the run with its reason.
"""

import threading

import numpy as np
import pytest
from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from grouping.checks import group_scores
from peergroups.formation.execute import run_problem
from peergroups.formation.models import FormationPart, FormationRun, PartStatus, RunStatus
from peergroups.formation.parameters import Parameters
from peergroups.formation.proposal import Proposal
from peergroups.formation.services import formation_run_start
from peergroups.formation.snapshot import Snapshot
from peergroups.formation.tests.conftest import params
from peergroups.people.models import MemberProfile

PART_TASK = "peergroups.formation.execute.formation_part_task"


@pytest.fixture
def segment_tasks(settings):
    settings.FORMATION_SEGMENT_TASKS_FROM = 10  # the 14 waiting people are "large"


def start(cast, **overrides) -> FormationRun:
    return formation_run_start(
        program=cast.program, acting_user=cast.admin, parameters=params(**overrides)
    )


def assemblers() -> list:
    return [r.return_value for r in DBTaskResult.objects.filter(task_path=PART_TASK)]


def check_assembled(run: FormationRun) -> None:
    """Every person once, each group within one region, the engine's scores (numbers
    compared over everyone, not per segment)."""
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    proposal = Proposal.from_json(run.proposal)
    snapshot = Snapshot.from_json(run.snapshot)
    placed = [u for g in proposal.groups for u in g.members]
    assert sorted(placed) == sorted(p.user_id for p in snapshot.people)
    region = {p.user_id: p.region for p in snapshot.people}
    assert all(len({region[u] for u in g.members}) == 1 for g in proposal.groups)
    where = proposal.where()
    engine = group_scores(
        run_problem(snapshot, Parameters.from_json(run.parameters)),
        np.array([where[p.user_id] for p in snapshot.people]),
        len(proposal.groups),
    )
    assert [g.score for g in proposal.groups] == pytest.approx(engine.tolist(), rel=1e-9)
    assert run.best_objective == pytest.approx(float(engine.sum()), rel=1e-9)
    assert run.parts_total == run.parts_done == 2
    assert len(run.part_iterations) == 2 and run.iterations == sum(run.part_iterations)
    assert all(g.violations == () for g in proposal.groups)  # figured for the review
    assert run.snapshot_facts["indexed"]


def test_a_large_run_by_region_is_one_task_per_segment(
    cast, waiting, segment_tasks, django_capture_on_commit_callbacks, run_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = start(cast, basis="region")
    with django_capture_on_commit_callbacks(execute=True):  # the parts, queued by the task
        run_tasks()
    run_tasks()  # the parts
    parts = list(FormationPart.objects.filter(run=run))
    assert [(p.label, p.people, p.status) for p in parts] == [
        ("Boston", 8, PartStatus.DONE),
        ("Denver", 6, PartStatus.DONE),
    ]
    assert sorted(assemblers()) == [False, True]  # exactly one part assembled
    check_assembled(run)


def test_a_small_or_unsegmented_run_stays_one_task(
    cast, waiting, django_capture_on_commit_callbacks, run_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = start(cast, basis="region")  # 14 people: below the default threshold
    run_tasks()
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.parts_total == 0
    assert not FormationPart.objects.filter(run=run).exists()


def test_a_segment_that_cannot_be_grouped_fails_the_run_with_its_reason(
    cast, waiting, segment_tasks, django_capture_on_commit_callbacks, run_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = start(cast, basis="region", min_size=7, max_size=8)
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    run_tasks()
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error == "The region “Denver” has 6 people, fewer than the smallest group (7)."
    assert run.proposal == {} and True not in assemblers()


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the SQLite test database is in memory with a shared cache, whose table locks "
    "fail a second thread's writes at once instead of waiting; a file database waits",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_take_the_segments_and_one_assembles(cast, waiting, segment_tasks):
    # Two segments of even size (7 and 7), so that each worker's part takes a while.
    MemberProfile.objects.filter(user=waiting[0]).update(region="Denver")
    run = start(cast, basis="region", seconds=2.0)  # queues the run's task on commit
    errors = []

    def worker(name: str) -> None:
        # django-tasks-db's worker as `db_worker` runs it (without its signal handlers,
        # which only a main thread may set), taking one task: each takes one segment.
        try:
            Worker(
                queue_names=["*"],
                interval=0.05,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=1,
                worker_id=name,
                excluded_queue_names=[],
            ).run()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    worker("worker-r")  # the run's task: it queues one task per segment
    assert FormationPart.objects.filter(run=run, status=PartStatus.QUEUED).count() == 2
    threads = [threading.Thread(target=worker, args=(f"worker-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    results = DBTaskResult.objects.filter(task_path=PART_TASK)
    assert [r.status for r in results] == ["SUCCESSFUL"] * 2, [r.traceback for r in results]
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    assert sorted(assemblers()) == [False, True]
    workers = [r.worker_ids for r in DBTaskResult.objects.filter(task_path=PART_TASK)]
    assert sorted(workers) == [["worker-0"], ["worker-1"]]  # one segment each
    check_assembled(run)


def test_a_run_cancelled_between_its_segments_stops_them(
    cast, waiting, segment_tasks, django_capture_on_commit_callbacks, run_tasks
):
    from peergroups.formation.services import formation_run_cancel

    with django_capture_on_commit_callbacks(execute=True):
        run = start(cast, basis="region")
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()  # the run's task: the segments are queued
    formation_run_cancel(run=run, acting_user=cast.admin)
    run_tasks()
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and run.proposal == {}
    assert set(FormationPart.objects.filter(run=run).values_list("status", flat=True)) == {
        PartStatus.STOPPED
    }
    assert True not in assemblers()
