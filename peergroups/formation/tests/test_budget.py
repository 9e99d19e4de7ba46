"""The admin's time budget is the whole formation task's: the search gets what is left
once the run is loaded and the affinity built, less an estimate of what follows it."""

import time

import pytest

from peergroups.formation import execute
from peergroups.formation.models import FormationRun
from peergroups.formation.tests.conftest import params


def test_the_search_gets_the_budget_less_the_set_up_and_what_follows():
    # 30 s budget, 10 s of it spent on set-up, an affinity that took 5 s to build.
    deadline = time.monotonic() + 20
    budget = execute._budget(params(seconds=30.0), deadline=deadline, build=5.0)
    after = execute.AFTER_SEARCH_PER_BUILD * 5.0 + execute.AFTER_SEARCH_SECONDS
    assert budget["seconds"] == pytest.approx(20 - after, abs=0.5)
    assert budget["seconds"] < 20 - after + 0.01  # never more than what is left


def test_a_slow_set_up_still_leaves_the_search_its_minimum_share():
    budget = execute._budget(params(seconds=30.0), deadline=time.monotonic() - 5, build=5.0)
    assert budget == {"seconds": execute.SEARCH_SHARE_MIN * 30.0}


def test_without_a_deadline_the_search_has_the_whole_budget():
    assert execute._budget(params(seconds=12.0)) == {"seconds": 12.0}


def test_rerun_exactly_keeps_its_step_count_whatever_the_deadline():
    parameters = params(seconds=10.0, max_iterations=1234)
    budget = execute._budget(parameters, deadline=time.monotonic() - 100, build=50.0)
    assert budget == {"max_iterations": 1234, "seconds": 50.0}


def test_a_run_keeps_its_stored_snapshot_though_the_task_frees_its_copy(cast, solved):
    run = solved(seconds=1.0)
    assert run.status == "done", run.error
    stored = FormationRun.objects.get(pk=run.pk)
    assert stored.snapshot and len(stored.snapshot["people"]) == 14
    assert run.seconds_used is not None
