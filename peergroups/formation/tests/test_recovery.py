"""A run whose worker died is failed by the next sweep, says so, and blocks nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from peergroups.errors import Conflict
from peergroups.formation.models import FormationRun, RunStatus
from peergroups.formation.recovery import PUBLISH_LOST, RUN_LOST
from peergroups.formation.services import formation_run_start
from peergroups.formation.tests.conftest import params
from peergroups.ops.models import WorkerHeartbeat
from peergroups.ops.recovery import WORKER_LOST, recovery_sweep
from peergroups.ops.services import WORKER_STALE_AFTER, worker_heartbeat

pytestmark = pytest.mark.django_db


def start_claimed_by(cast, worker_id: str, django_capture_on_commit_callbacks) -> FormationRun:
    """A run a worker took, as `formation_run_execute` leaves it while searching."""
    with django_capture_on_commit_callbacks(execute=True):
        run = formation_run_start(program=cast.program, acting_user=cast.admin, parameters=params())
    result = DBTaskResult.objects.get(task_path__endswith="formation_run_task")
    result.claim(worker_id)
    FormationRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    return run


def test_a_run_whose_worker_died_is_failed_and_the_program_can_start_again(
    cast, waiting, django_capture_on_commit_callbacks, time_machine, client
):
    time_machine.move_to(timezone.now(), tick=False)
    worker_heartbeat(worker_id="killed", queues="formation", host="h:1", started_at=timezone.now())
    run = start_claimed_by(cast, "killed", django_capture_on_commit_callbacks)
    # While its worker beats, the run is running and a second start is refused.
    time_machine.shift(WORKER_STALE_AFTER.total_seconds() - 1)
    worker_heartbeat(worker_id="killed", queues="formation", host="h:1", started_at=timezone.now())
    assert recovery_sweep() == 0
    with pytest.raises(Conflict, match="already queued or running"):
        formation_run_start(program=cast.program, acting_user=cast.admin, parameters=params())
    # Then it is killed: no more beats.
    time_machine.shift(WORKER_STALE_AFTER.total_seconds() + 1)
    assert recovery_sweep() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error == RUN_LOST
    task = DBTaskResult.objects.get(task_path__endswith="formation_run_task")
    assert (task.status, task.exception_class_path) == (TaskResultStatus.FAILED, WORKER_LOST)
    assert not WorkerHeartbeat.objects.filter(worker_id="killed").exists()
    # The run page says what happened.
    client.force_login(cast.admin)
    page = client.get(
        reverse("formation-run", kwargs={"org_slug": cast.organization.slug, "run_id": run.pk})
    )
    assert "The worker running this formation stopped" in page.content.decode()
    # And the program is not blocked.
    again = formation_run_start(program=cast.program, acting_user=cast.admin, parameters=params())
    assert again.status == RunStatus.QUEUED


def test_starting_a_run_notices_a_dead_worker_even_with_no_worker_alive(
    cast, waiting, django_capture_on_commit_callbacks, time_machine
):
    """Every worker was killed: nobody sweeps, so the start itself does."""
    time_machine.move_to(timezone.now(), tick=False)
    worker_heartbeat(worker_id="killed", queues="formation", host="h:1", started_at=timezone.now())
    run = start_claimed_by(cast, "killed", django_capture_on_commit_callbacks)
    time_machine.shift(WORKER_STALE_AFTER.total_seconds() + 1)
    again = formation_run_start(program=cast.program, acting_user=cast.admin, parameters=params())
    run.refresh_from_db()
    assert (run.status, run.error) == (RunStatus.FAILED, RUN_LOST)
    assert again.status == RunStatus.QUEUED


def test_a_live_workers_run_is_left_alone(
    cast, waiting, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    worker_heartbeat(worker_id="busy", queues="formation", host="h:1", started_at=timezone.now())
    run = start_claimed_by(cast, "busy", django_capture_on_commit_callbacks)
    for _ in range(5):
        time_machine.shift(WORKER_STALE_AFTER.total_seconds() - 1)
        worker_heartbeat(
            worker_id="busy", queues="formation", host="h:1", started_at=timezone.now()
        )
        assert recovery_sweep() == 0
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING


def test_a_publish_whose_worker_died_is_given_back_with_nothing_published(
    solved, cast, time_machine, django_capture_on_commit_callbacks
):
    from peergroups.formation.services import formation_run_publish_request
    from peergroups.groups.models import PeerGroup

    run = solved()
    assert run.status == RunStatus.DONE
    groups_before = PeerGroup.objects.count()
    time_machine.move_to(timezone.now(), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        formation_run_publish_request(run=run, acting_user=cast.admin)
    worker_heartbeat(worker_id="killed", queues="formation", host="h:1", started_at=timezone.now())
    DBTaskResult.objects.get(task_path__endswith="formation_run_publish_task").claim("killed")
    time_machine.shift(WORKER_STALE_AFTER.total_seconds() + 1)
    recovery_sweep()
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.publish_error == PUBLISH_LOST
    assert PeerGroup.objects.count() == groups_before
