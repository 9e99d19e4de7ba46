"""Runs as a shared resource and a record: engine-free web processes, queues, limits, reruns."""

import subprocess
import sys
import textwrap

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from peergroups.errors import Conflict
from peergroups.formation.models import FormationRun, RunStatus
from peergroups.formation.parameters import ACTIVE_RUNS_PER_ORGANIZATION
from peergroups.formation.proposal import Proposal
from peergroups.formation.services import (
    formation_run_publish,
    formation_run_rerun,
    formation_run_start,
    proposal_swap,
)
from peergroups.formation.tasks import FORMATION_QUEUE, formation_run_task
from peergroups.formation.tests.conftest import groups_of, params
from peergroups.groups.models import PeerGroup
from peergroups.groups.services import program_create
from peergroups.organizations.models import Role
from peergroups.organizations.services import invitation_create
from peergroups.people.models import NotWith

ENGINE_MODULES = ("grouping", "numpy", "numba", "scipy")


def test_web_processes_do_not_import_the_engine():
    """The URLconf pulls in every view, form, selector and API route; none may load the engine."""
    script = textwrap.dedent(
        f"""
        import os, sys
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peergroups.settings")
        import django
        django.setup()
        import peergroups.urls, peergroups.api.api
        import peergroups.formation.services, peergroups.formation.tasks
        print(sorted(m for m in {ENGINE_MODULES!r} if m in sys.modules))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


@pytest.fixture
def warm_engine():
    """Kernels loaded before the run, so its one-second budget is all search."""
    import grouping

    grouping.warm_up()


# "region" forms each region apart: the engine counts steps per segment.
@pytest.mark.parametrize("basis", ["mixed", "region"])
def test_rerun_exactly_gives_the_same_groups(
    client, cast, waiting, solved, run_tasks, warm_engine, django_capture_on_commit_callbacks, basis
):
    first = solved(basis=basis, seconds=1.0, seed=11)
    # The waiting members live in Boston and Denver: two segments by region.
    assert len(first.part_iterations) == (1 if basis == "mixed" else 2)
    assert first.iterations and first.iterations > 0
    assert first.stopped == "budget"
    # Profiles change after the run: the rerun still groups the people as they were.
    NotWith.objects.create(organization=cast.organization, user=waiting[2], other=waiting[3])

    client.force_login(cast.admin)
    page = client.get(first.get_absolute_url())
    assert f"Seed 11 · {first.iterations} search steps".encode() in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("formation-rerun", args=["acme", first.pk]))
    again = FormationRun.objects.get(rerun_of=first)
    assert response["Location"] == again.get_absolute_url()
    run_tasks()
    again.refresh_from_db()
    assert again.status == RunStatus.DONE, again.error
    assert again.stopped == "iterations"
    assert again.iterations == first.iterations
    assert again.part_iterations == first.part_iterations
    assert groups_of(again) == groups_of(first)
    assert again.best_objective == pytest.approx(first.best_objective, rel=1e-12)


def test_the_form_says_what_the_seed_guarantees(client, cast, waiting):
    client.force_login(cast.admin)
    page = client.get(reverse("formation-start", args=["acme", cast.program.pk]))
    assert "Rerun exactly” on a finished run repeats its search step for step".encode() in (
        page.content
    )


def test_a_run_without_a_proposal_cannot_be_rerun(cast, waiting):
    run = formation_run_start(program=cast.program, acting_user=cast.admin, parameters=params())
    with pytest.raises(Conflict, match="reached a proposal"):
        formation_run_rerun(run=run, acting_user=cast.admin)


def test_one_active_formation_per_program_and_a_few_per_organization(cast, waiting):
    formation_run_start(program=cast.program, acting_user=cast.admin, parameters=params())
    with pytest.raises(Conflict, match="already queued or running"):
        formation_run_start(program=cast.program, acting_user=cast.admin, parameters=params())

    FormationRun.objects.all().delete()
    for i in range(ACTIVE_RUNS_PER_ORGANIZATION):
        other = program_create(
            organization=cast.organization, acting_user=cast.admin, name=f"Other {i}"
        )
        FormationRun.objects.create(
            organization=cast.organization, program=other, cycle=1, status=RunStatus.RUNNING
        )
    with pytest.raises(Conflict, match=f"{ACTIVE_RUNS_PER_ORGANIZATION} formations queued"):
        formation_run_start(program=cast.program, acting_user=cast.admin, parameters=params())
    # Another organization is not held up.
    assert not FormationRun.objects.filter(organization=cast.other_organization).exists()


def test_an_invitation_goes_out_while_a_formation_waits(
    cast, waiting, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    assert formation_run_task.queue_name == FORMATION_QUEUE
    with django_capture_on_commit_callbacks(execute=True):
        run = formation_run_start(program=cast.program, acting_user=cast.admin, parameters=params())
        invitation_create(
            organization=cast.organization,
            email="new@acme.test",
            role=Role.MEMBER,
            acting_user=cast.admin,
        )
    # The e-mail worker (as `make run` starts it) sends now; the formation waits for its own.
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--queue-name", "default", verbosity=0
    )
    assert [m.to for m in mail.outbox] == [["new@acme.test"]]
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED


def test_open_seats_leave_room_for_late_joiners(cast, waiting, solved):
    run = solved(basis="mixed", min_size=3, max_size=5, open_seats=1)
    assert all(3 <= len(g) <= 4 for g in groups_of(run))
    created = formation_run_publish(run=run, acting_user=cast.admin)
    for group in PeerGroup.objects.filter(pk__in=[g.pk for g in created]):
        assert group.capacity == 5 and group.open_seats >= 1


def test_edits_never_name_a_not_with_declaration(client, cast, waiting, solved):
    NotWith.objects.create(organization=cast.organization, user=waiting[0], other=waiting[1])
    run = solved(basis="mixed")
    groups = groups_of(run)
    theirs = next(g for g in groups if waiting[1].pk in g)
    mine = next(g for g in groups if waiting[0].pk in g)
    partner = next(u for u in theirs if u != waiting[1].pk)
    assert theirs is not mine

    with pytest.raises(Conflict) as refused:
        proposal_swap(run=run, user_a=waiting[0].pk, user_b=partner, acting_user=cast.admin)
    assert str(refused.value) == "Waiting 00 and Waiting 01 cannot share a group."

    client.force_login(cast.admin)
    response = client.post(
        reverse("formation-swap", args=["acme", run.pk]),
        {"user_a": waiting[0].pk, "user_b": partner},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert b"Waiting 00 and Waiting 01 cannot share a group." in response.content
    for page in (response, client.get(run.get_absolute_url())):
        assert b"not-with" not in page.content and b"declared" not in page.content


def test_facilitator_refusal_is_inline_and_the_select_keeps_the_truth(
    client, cast, waiting, solved
):
    run = solved(basis="mixed")
    client.force_login(cast.admin)
    page = client.get(run.get_absolute_url()).content.decode()
    # The form names where a refusal goes and asks to be reset to the server's value.
    assert 'data-error-target="#fac-error-0" data-reset-on-error' in page
    assert 'id="fac-error-0"' in page
    assert "js/htmx-errors.js" in page
    response = client.post(
        reverse("formation-facilitator", args=["acme", run.pk]),
        {"group": "1", "facilitator_id": str(cast.member.pk)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert b"Only approved facilitators with free capacity" in response.content
    assert b"<html" not in response.content  # a fragment for the slot, not a page


def test_migration_renames_positions_to_user_ids_and_keeps_the_proposal(cast):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "peergroups.formation.migrations.0003_snapshot_and_proposal_by_user_id"
    )
    people = [{"user_id": uid, "name": f"P{uid}", "region": "Boston"} for uid in (30, 10, 20)]
    old = {"groups": [[30, 10], [20]], "facilitators": [7, None]}
    run = FormationRun.objects.create(
        organization=cast.organization,
        program=cast.program,
        cycle=1,
        status=RunStatus.DONE,
        snapshot={"people": people, "conflicts": [[0, 2, "reporting line"]], "history": [[1, 2]]},
        proposal=old,
        undo_stack=[old],
    )
    migration.by_user_id(apps, None)
    run.refresh_from_db()
    assert run.snapshot["conflicts"] == [[30, 20, "reporting line"]]
    assert run.snapshot["history"] == [[10, 20]]
    proposal = Proposal.from_json(run.proposal)
    assert [g.members for g in proposal.groups] == [(30, 10), (20,)]
    assert [g.facilitator_id for g in proposal.groups] == [7, None]
    assert run.undo_stack == [run.proposal]
    migration.by_index(apps, None)
    run.refresh_from_db()
    assert run.proposal == old and run.snapshot["conflicts"] == [[0, 2, "reporting line"]]
