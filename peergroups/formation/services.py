"""Formation runs: start one (a snapshot queued for the task worker), rerun it exactly, cancel.

The other writes live beside this module, one job each, and are re-exported here:
`edits` (hand adjustments of a proposal), `publish`, `placement` (late joiners).
The task's work is in `execute` (the only module that loads the engine).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from peergroups.accounts.models import User
from peergroups.audit.services import audit_record
from peergroups.errors import Conflict, Invalid
from peergroups.formation.diagnosis import REMEDY_MERGE, REMEDY_MINIMUM, REMEDY_SET_ASIDE
from peergroups.formation.edits import (
    proposal_move,
    proposal_set_facilitator,
    proposal_swap,
    proposal_undo,
)
from peergroups.formation.models import FormationRun, RunStatus
from peergroups.formation.parameters import (
    ACTIVE_RUNS_PER_ORGANIZATION,
    MODE_NEW_CYCLE,
    NO_SEGMENT,
    Parameters,
    parameters_check,
)
from peergroups.formation.placement import placement_apply, placement_suggestions
from peergroups.formation.publish import formation_run_publish, formation_run_publish_request
from peergroups.formation.recovery import formation_recover
from peergroups.formation.selectors import require_admin
from peergroups.formation.snapshot import (
    Snapshot,
    current_cycle,
    snapshot_facts,
    snapshot_take,
)
from peergroups.organizations.models import Organization, Program

__all__ = [
    "formation_run_cancel",
    "formation_run_remedy",
    "formation_run_publish",
    "formation_run_publish_request",
    "formation_run_rerun",
    "formation_run_start",
    "placement_apply",
    "placement_suggestions",
    "proposal_move",
    "proposal_set_facilitator",
    "proposal_swap",
    "proposal_undo",
]


def _claim_a_worker_slot(program: Program) -> None:
    """Refuse a run while this program has one, or the organization has its share, active."""
    # A run whose worker died is failed first, so it never blocks the program.
    formation_recover()
    # The organization's row lock serialises starts, so two clicks cannot both pass.
    Organization.objects.select_for_update().get(pk=program.organization_id)
    active = FormationRun.objects.filter(
        organization_id=program.organization_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    )
    if active.filter(program=program).exists():
        raise Conflict(
            gettext(
                "A formation of this program is already queued or running: "
                "wait for its proposal or cancel it first."
            )
        )
    if active.count() >= ACTIVE_RUNS_PER_ORGANIZATION:
        raise Conflict(
            gettext(
                "Your organization has %(active_runs_per_organization)s formations queued or "
                "running; start this one when one of them has finished."
            )
            % {"active_runs_per_organization": ACTIVE_RUNS_PER_ORGANIZATION}
        )


def _queue(run: FormationRun) -> None:
    from peergroups.formation.tasks import formation_run_task

    transaction.on_commit(lambda: formation_run_task.enqueue(run.pk))


@transaction.atomic
def formation_run_start(
    *, program: Program, acting_user: User | None, parameters: Parameters
) -> FormationRun:
    """Record the run with a snapshot of its people and queue it for a formation worker."""
    require_admin(acting_user, program.organization)
    parameters_check(parameters)
    if parameters.max_iterations is not None:
        raise Invalid(gettext("A search step count is set only by rerunning a run exactly."))
    _claim_a_worker_slot(program)
    cycle_now = current_cycle(program)
    new_cycle = parameters.mode == MODE_NEW_CYCLE
    cycle = cycle_now + 1 if new_cycle else max(cycle_now, 1)
    snapshot = snapshot_take(program, cycle=cycle, everyone=new_cycle)
    if parameters.set_aside_segments:
        snapshot = _without_segments(snapshot, parameters)
    if len(snapshot.people) < parameters.min_size:
        raise Conflict(
            ngettext(
                "Only %(count)s member with a complete intake is waiting for a group; a "
                "group needs at least %(min_size)s.",
                "Only %(count)s members with a complete intake are waiting for a group; a "
                "group needs at least %(min_size)s.",
                len(snapshot.people),
            )
            % {"count": len(snapshot.people), "min_size": parameters.min_size}
        )
    run = FormationRun.objects.create(
        organization=program.organization,
        program=program,
        cycle=cycle,
        parameters=parameters.as_json(),
        snapshot=snapshot.as_json(),
        snapshot_facts=snapshot_facts(snapshot),
        created_by=acting_user,
    )
    audit_record(
        organization=program.organization,
        actor=acting_user,
        action="formation_run_start",
        target=run,
        before={},
        after={"status": run.status, "people": len(snapshot.people)},
    )
    _queue(run)
    return run


def _without_segments(snapshot: Snapshot, parameters: Parameters) -> Snapshot:
    """The snapshot less the people of the segments the admin set aside for later."""
    left_out = set(parameters.set_aside_segments)
    people = tuple(
        p
        for p in snapshot.people
        if (p.attributes.get(parameters.segment) or NO_SEGMENT) not in left_out
    )
    ids = {p.user_id for p in people}
    return Snapshot(
        people=people,
        kept_apart={pair: why for pair, why in snapshot.kept_apart.items() if set(pair) <= ids},
        history=tuple(pair for pair in snapshot.history if set(pair) <= ids),
        facilitators=snapshot.facilitators,
    )


@transaction.atomic
def formation_run_remedy(
    *, run: FormationRun, acting_user: User | None, remedy: str
) -> FormationRun:
    """Start the run again with one of the remedies its diagnosis offers (merge small
    segments into mixed groups, lower the smallest group, or leave a segment's people to
    be placed later): a new run of the same settings but that, on today's people.

    `remedy` names it as "<entry>.<remedy>", its place in `run.diagnosis`.
    """
    require_admin(acting_user, run.organization)
    if run.status != RunStatus.FAILED:
        raise Conflict(gettext("Only a run that could not be formed has remedies."))
    offered = {
        f"{e}.{r}": choice
        for e, entry in enumerate(run.diagnosis or ())
        for r, choice in enumerate(entry.get("remedies", ()))
    }
    choice = offered.get(remedy)
    if choice is None:
        raise Invalid(gettext("This run does not offer that remedy."), field="remedy")
    parameters = Parameters.from_json(run.parameters)
    changes: dict = {"max_iterations": None}
    if choice["remedy"] == REMEDY_MERGE:
        changes["merge_segments"] = tuple(
            sorted(set(parameters.merge_segments) | set(choice["value"]))
        )
    elif choice["remedy"] == REMEDY_MINIMUM:
        changes["min_size"] = int(choice["value"])
    elif choice["remedy"] == REMEDY_SET_ASIDE:
        changes["set_aside_segments"] = tuple(
            sorted(set(parameters.set_aside_segments) | set(choice["value"]))
        )
    remedied = Parameters.from_json({**parameters.as_json(), **changes})
    new_run = formation_run_start(program=run.program, acting_user=acting_user, parameters=remedied)
    audit_record(
        organization=run.organization,
        actor=acting_user,
        action="formation_run_remedy",
        target=new_run,
        before={key: parameters.as_json().get(key) for key in changes},
        after={
            "remedy": choice["remedy"],
            "remedy_of": run.pk,
            **{key: remedied.as_json().get(key) for key in changes},
        },
    )
    return new_run


@transaction.atomic
def formation_run_rerun(*, run: FormationRun, acting_user: User | None) -> FormationRun:
    """Repeat a finished run's search step for step: same people, seed and step count.

    The new run solves the original's snapshot (not today's profiles) and stops after
    the number of search steps the original reached, so the same engine gives the
    same groups.
    """
    require_admin(acting_user, run.organization)
    if run.iterations is None or not run.proposal:
        raise Conflict(gettext("Only a run that reached a proposal can be rerun exactly."))
    _claim_a_worker_slot(run.program)
    steps = list(run.part_iterations) or run.iterations
    parameters = Parameters.from_json({**run.parameters, "max_iterations": steps})
    snapshot = Snapshot.from_json(run.snapshot)
    rerun = FormationRun.objects.create(
        organization=run.organization,
        program=run.program,
        cycle=run.cycle,
        parameters=parameters.as_json(),
        snapshot=snapshot.as_json(),
        snapshot_facts=snapshot_facts(snapshot),
        rerun_of=run,
        created_by=acting_user,
    )
    audit_record(
        organization=run.organization,
        actor=acting_user,
        action="formation_run_rerun",
        target=rerun,
        before={},
        after={"status": rerun.status, "rerun_of": run.pk},
    )
    _queue(rerun)
    return rerun


@transaction.atomic
def formation_run_cancel(*, run: FormationRun, acting_user: User | None) -> None:
    """Stop a queued or running run (a running one stops at the worker's next progress call)."""
    require_admin(acting_user, run.organization)
    before = FormationRun.objects.filter(pk=run.pk).values_list("status", flat=True).first()
    FormationRun.objects.filter(pk=run.pk, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(
        cancel_requested=True
    )
    # A run no worker has picked up yet is cancelled at once.
    FormationRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.CANCELLED, finished_at=timezone.now()
    )
    after = FormationRun.objects.filter(pk=run.pk).values_list("status", flat=True).first()
    audit_record(
        organization=run.organization,
        actor=acting_user,
        action="formation_run_cancel",
        target=run,
        before={"status": before},
        after={"status": after, "cancel_requested": True},
    )
