"""Hand adjustments of a proposal: move, swap, undo, choose a facilitator.

Each edit locks the run, applies the change to the groups it touches, refuses it when
one of them would break a rule (`proposal.group_violations`, the engine's own checks),
re-scores those groups, and keeps the previous proposal for undo.

An edit reads only what it touches: the run's row without its snapshot, and the
snapshot rows of the people of the groups it changes (`snapshot.snapshot_part`), so it
takes the same time at 10,000 people as at 100.
"""

from dataclasses import replace

from django.db import transaction
from django.utils.translation import gettext

from peergroups.accounts.models import User
from peergroups.audit.services import audit_record
from peergroups.errors import Conflict, Invalid
from peergroups.formation.models import FormationRun, RunStatus
from peergroups.formation.parameters import Parameters
from peergroups.formation.proposal import (
    ProposedGroup,
    group_figured,
    group_violations,
)
from peergroups.formation.selectors import require_admin
from peergroups.formation.snapshot import snapshot_part
from peergroups.formats import in_sentence
from peergroups.people.conflicts import together_check

UNDO_DEPTH = 50


def _locked(run: FormationRun, acting_user: User | None) -> FormationRun:
    # The snapshot (megabytes) is read only for a run from before the snapshot index.
    # Its organization comes in the same query (for the admin check), locked it is not.
    locked = (
        FormationRun.objects.select_for_update(of=("self",))
        .select_related("organization")
        .defer("snapshot")
        .get(pk=run.pk)
    )
    require_admin(acting_user, locked.organization)
    if locked.status != RunStatus.DONE:
        raise Conflict(
            gettext("This run is %(status)s; it cannot be changed.")
            % {"status": in_sentence(locked.get_status_display())}
        )
    return locked


def _groups(run: FormationRun) -> list[dict]:
    """The proposal's groups as stored: an edit decodes only the groups it changes."""
    return run.proposal.get("groups", [])


def _group_of(run: FormationRun, user_id: int) -> int | None:
    return next((g for g, group in enumerate(_groups(run)) if user_id in group["members"]), None)


def _regroup(run: FormationRun, changes: dict[int, tuple[int, ...]]) -> dict[int, ProposedGroup]:
    """The groups in `changes` with their new members, checked and re-scored."""
    snapshot = snapshot_part(run, (u for members in changes.values() for u in members))
    parameters = Parameters.from_json(run.parameters)
    for index, members in sorted(changes.items()):
        broken = group_violations(
            snapshot=snapshot, parameters=parameters, index=index, members=members
        )
        if broken:
            raise Conflict(broken[0].sentence)
    groups = _groups(run)
    # The snapshot's pairs are as they were at the start; a reporting line or "not with"
    # declared since counts too, for whoever the edit brings into a group.
    names = {person.user_id: person.name for person in snapshot.people}
    for index, members in sorted(changes.items()):
        joining = set(members) - set(groups[index]["members"])
        if joining:
            together_check(
                organization=run.organization_id,
                joining=joining,
                members=set(members) - joining,
                names=names,
            )
    return {
        index: group_figured(
            snapshot=snapshot,
            parameters=parameters,
            index=index,
            group=ProposedGroup(
                members=members, facilitator_id=groups[index].get("facilitator_id")
            ),
        )
        for index, members in changes.items()
    }


def _save(
    run: FormationRun,
    changed: dict[int, ProposedGroup],
    acting_user: User | None,
    action: str,
) -> None:
    # An undo step keeps only the groups the edit changed, as they were: a copy of the
    # whole proposal per step made the run's row 50 proposals long (megabytes at 1,000
    # groups, decoded on every view and edit).
    groups = list(_groups(run))
    step = {"changed": {str(index): groups[index] for index in changed}}
    before = {f"group {index + 1}": groups[index]["members"] for index in sorted(changed)}
    for index, group in changed.items():
        groups[index] = group.as_json()
    run.undo_stack = [step, *run.undo_stack][:UNDO_DEPTH]
    run.proposal = {**run.proposal, "groups": groups}
    run.save(update_fields=["proposal", "undo_stack"])
    audit_record(
        organization=run.organization,
        actor=acting_user,
        action=action,
        target=run,
        before=before,
        after={f"group {index + 1}": groups[index]["members"] for index in sorted(changed)},
    )


def _group_index(run: FormationRun, number: int) -> int:
    if not 0 <= number < len(_groups(run)):
        raise Invalid(gettext("No such group in this proposal."), field="group")
    return number


@transaction.atomic
def proposal_move(
    *, run: FormationRun, user_id: int, to_group: int, acting_user: User | None
) -> FormationRun:
    """Move one person into group `to_group` (0-based)."""
    run = _locked(run, acting_user)
    source = _group_of(run, user_id)
    if source is None:
        raise Invalid(gettext("That person is not part of this proposal."), field="user_id")
    target = _group_index(run, to_group)
    if source == target:
        raise Invalid(gettext("That person is in this group already."), field="to_group")
    groups = _groups(run)
    changed = _regroup(
        run,
        {
            target: (*groups[target]["members"], user_id),
            source: tuple(u for u in groups[source]["members"] if u != user_id),
        },
    )
    _save(run, changed, acting_user, "proposal_move")
    return run


@transaction.atomic
def proposal_swap(
    *, run: FormationRun, user_a: int, user_b: int, acting_user: User | None
) -> FormationRun:
    """Exchange two people of different groups."""
    run = _locked(run, acting_user)
    group_a, group_b = _group_of(run, user_a), _group_of(run, user_b)
    if group_a is None or group_b is None:
        raise Invalid(gettext("Both people must be part of this proposal."), field="user_a")
    if group_a == group_b:
        raise Invalid(gettext("They are in the same group already."), field="user_b")

    def exchanged(members: list[int]) -> tuple[int, ...]:
        return tuple(user_b if u == user_a else user_a if u == user_b else u for u in members)

    groups = _groups(run)
    changed = _regroup(
        run,
        {
            group_a: exchanged(groups[group_a]["members"]),
            group_b: exchanged(groups[group_b]["members"]),
        },
    )
    _save(run, changed, acting_user, "proposal_swap")
    return run


@transaction.atomic
def proposal_undo(*, run: FormationRun, acting_user: User | None) -> FormationRun:
    run = _locked(run, acting_user)
    if not run.undo_stack:
        raise Conflict(gettext("Nothing to undo."))
    step, *rest = run.undo_stack
    was = list(run.proposal["groups"])
    if "changed" in step:
        groups = list(was)
        for index, group in step["changed"].items():
            groups[int(index)] = group
        run.proposal = {**run.proposal, "groups": groups}
        undone = sorted(int(index) for index in step["changed"])
    else:
        run.proposal = step  # a step saved before steps kept only the changed groups
        undone = [
            i for i, group in enumerate(run.proposal["groups"]) if i >= len(was) or group != was[i]
        ]
    run.undo_stack = rest
    run.save(update_fields=["proposal", "undo_stack"])
    now = run.proposal["groups"]
    audit_record(
        organization=run.organization,
        actor=acting_user,
        action="proposal_undo",
        target=run,
        before={f"group {i + 1}": was[i]["members"] for i in undone if i < len(was)},
        after={f"group {i + 1}": now[i]["members"] for i in undone if i < len(now)},
    )
    return run


@transaction.atomic
def proposal_set_facilitator(
    *, run: FormationRun, group: int, facilitator_id: int | None, acting_user: User | None
) -> FormationRun:
    """Choose the facilitator of group `group` (0-based), or none."""
    run = _locked(run, acting_user)
    index = _group_index(run, group)
    groups = _groups(run)
    if facilitator_id is not None:
        option = snapshot_part(run, ()).facilitator.get(facilitator_id)
        if option is None:
            raise Invalid(
                gettext("Only approved facilitators with free capacity can be chosen."),
                field="facilitator_id",
            )
        taken = sum(
            1 for g, other in enumerate(groups)
            if other.get("facilitator_id") == facilitator_id and g != index
        )  # fmt: skip
        if taken >= option.free:
            raise Conflict(
                gettext("%(option_name)s has no free capacity for another group.")
                % {"option_name": option.name}
            )
    current = ProposedGroup.from_json(groups[index])
    _save(
        run, {index: replace(current, facilitator_id=facilitator_id)}, acting_user,
        "proposal_facilitator",
    )  # fmt: skip
    return run
