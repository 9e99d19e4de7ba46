"""Hand adjustments of a proposal: move, swap, undo, choose a facilitator.

Each edit locks the run, applies the change to the groups it touches, refuses it when
one of them would break a rule (`proposal.group_violations`, the engine's own checks),
re-scores those groups, and keeps the previous proposal for undo.
"""

from collections.abc import Iterable
from dataclasses import replace

from django.db import transaction

from peergroups.accounts.models import User
from peergroups.errors import Conflict, Invalid
from peergroups.formation.models import FormationRun, RunStatus
from peergroups.formation.parameters import Parameters
from peergroups.formation.proposal import (
    Proposal,
    ProposedGroup,
    group_refigured,
    group_violations,
)
from peergroups.formation.selectors import require_admin
from peergroups.formation.snapshot import Snapshot
from peergroups.organizations.services import audit

UNDO_DEPTH = 50


def _locked(run: FormationRun, acting_user: User | None) -> FormationRun:
    locked = FormationRun.objects.select_for_update().get(pk=run.pk)
    require_admin(acting_user, locked.organization)
    if locked.status != RunStatus.DONE:
        raise Conflict(f"This run is {locked.get_status_display().lower()}; it cannot be changed.")
    return locked


def _regroup(
    run: FormationRun, proposal: Proposal, changes: dict[int, tuple[int, ...]]
) -> Proposal:
    """`proposal` with the groups in `changes` given new members, checked and re-scored."""
    snapshot = Snapshot.from_json(run.snapshot)
    parameters = Parameters.from_json(run.parameters)
    for index, members in sorted(changes.items()):
        broken = group_violations(
            snapshot=snapshot, parameters=parameters, index=index, members=members
        )
        if broken:
            raise Conflict(broken[0].sentence)
    for index, members in changes.items():
        group = ProposedGroup(members=members, facilitator_id=proposal.groups[index].facilitator_id)
        proposal = proposal.with_group(
            index, group_refigured(snapshot=snapshot, parameters=parameters, group=group)
        )
    return proposal


def _save(
    run: FormationRun,
    proposal: Proposal,
    acting_user: User | None,
    action: str,
    changed: Iterable[int],
) -> None:
    # An undo step keeps only the groups the edit changed, as they were: a copy of the
    # whole proposal per step made the run's row 50 proposals long (megabytes at 1,000
    # groups, decoded on every view and edit).
    before = run.proposal["groups"]
    step = {"changed": {str(index): before[index] for index in changed}}
    run.undo_stack = [step, *run.undo_stack][:UNDO_DEPTH]
    run.proposal = proposal.as_json()
    run.save(update_fields=["proposal", "undo_stack"])
    audit(organization=run.organization, acting_user=acting_user, action=action, run_id=run.pk)


def _group_index(proposal: Proposal, number: int) -> int:
    if not 0 <= number < len(proposal.groups):
        raise Invalid("No such group in this proposal.", field="group")
    return number


@transaction.atomic
def proposal_move(
    *, run: FormationRun, user_id: int, to_group: int, acting_user: User | None
) -> None:
    """Move one person into group `to_group` (0-based)."""
    run = _locked(run, acting_user)
    proposal = Proposal.from_json(run.proposal)
    where = proposal.where()
    if user_id not in where:
        raise Invalid("That person is not part of this proposal.", field="user_id")
    target = _group_index(proposal, to_group)
    source = where[user_id]
    if source == target:
        raise Invalid("That person is in this group already.", field="to_group")
    proposal = _regroup(
        run,
        proposal,
        {
            target: (*proposal.groups[target].members, user_id),
            source: tuple(u for u in proposal.groups[source].members if u != user_id),
        },
    )
    _save(run, proposal, acting_user, "proposal_move", (target, source))


@transaction.atomic
def proposal_swap(*, run: FormationRun, user_a: int, user_b: int, acting_user: User | None) -> None:
    """Exchange two people of different groups."""
    run = _locked(run, acting_user)
    proposal = Proposal.from_json(run.proposal)
    where = proposal.where()
    if user_a not in where or user_b not in where:
        raise Invalid("Both people must be part of this proposal.", field="user_a")
    group_a, group_b = where[user_a], where[user_b]
    if group_a == group_b:
        raise Invalid("They are in the same group already.", field="user_b")

    def exchanged(members: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(user_b if u == user_a else user_a if u == user_b else u for u in members)

    proposal = _regroup(
        run,
        proposal,
        {
            group_a: exchanged(proposal.groups[group_a].members),
            group_b: exchanged(proposal.groups[group_b].members),
        },
    )
    _save(run, proposal, acting_user, "proposal_swap", (group_a, group_b))


@transaction.atomic
def proposal_undo(*, run: FormationRun, acting_user: User | None) -> None:
    run = _locked(run, acting_user)
    if not run.undo_stack:
        raise Conflict("Nothing to undo.")
    step, *rest = run.undo_stack
    if "changed" in step:
        groups = list(run.proposal["groups"])
        for index, group in step["changed"].items():
            groups[int(index)] = group
        run.proposal = {**run.proposal, "groups": groups}
    else:
        run.proposal = step  # a step saved before steps kept only the changed groups
    run.undo_stack = rest
    run.save(update_fields=["proposal", "undo_stack"])
    audit(
        organization=run.organization,
        acting_user=acting_user,
        action="proposal_undo",
        run_id=run.pk,
    )


@transaction.atomic
def proposal_set_facilitator(
    *, run: FormationRun, group: int, facilitator_id: int | None, acting_user: User | None
) -> None:
    """Choose the facilitator of group `group` (0-based), or none."""
    run = _locked(run, acting_user)
    proposal = Proposal.from_json(run.proposal)
    index = _group_index(proposal, group)
    if facilitator_id is not None:
        option = Snapshot.from_json(run.snapshot).facilitator.get(facilitator_id)
        if option is None:
            raise Invalid(
                "Only approved facilitators with free capacity can be chosen.",
                field="facilitator_id",
            )
        taken = sum(
            1 for g, other in enumerate(proposal.groups)
            if other.facilitator_id == facilitator_id and g != index
        )  # fmt: skip
        if taken >= option.free:
            raise Conflict(f"{option.name} has no free capacity for another group.")
    proposal = proposal.with_group(
        index, replace(proposal.groups[index], facilitator_id=facilitator_id)
    )
    _save(run, proposal, acting_user, "proposal_facilitator", (index,))
