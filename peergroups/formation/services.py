"""Formation runs: start, execute (in a task), adjust by hand, publish; late-joiner placement.

The engine (`grouping`) does the optimisation; this module turns the program's
people into its input, keeps the proposal, and applies it to the database.
"""

import logging
import time
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

import grouping
from grouping.affinity import build_affinity
from peergroups.accounts.models import User
from peergroups.formation import criteria as criteria_module
from peergroups.formation.conflicts import conflict_pairs, pair_history
from peergroups.formation.models import FormationRun, RunStatus
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.groups.services import group_create, membership_add
from peergroups.organizations.models import Program, Role
from peergroups.organizations.services import audit
from peergroups.people.models import FacilitatorProfile, FacilitatorStatus, MemberProfile

logger = logging.getLogger(__name__)

MODE_UNPLACED = "unplaced"
MODE_NEW_CYCLE = "new_cycle"
UNDO_DEPTH = 50
PROGRESS_EVERY_SECONDS = 0.5


class ProposalRefused(Exception):
    """A hand adjustment or publish that would break a rule; the message says which."""


@dataclass(frozen=True)
class Parameters:
    mode: str
    basis: str
    criteria: list[dict]
    min_size: int
    max_size: int
    seconds: float
    seed: int
    history_penalty: float

    def as_json(self) -> dict:
        return self.__dict__.copy()


def current_cycle(program: Program) -> int:
    """The cycle whose groups meet now (0 when none was formed yet)."""
    return PeerGroup.objects.filter(program=program).aggregate(cycle=Max("cycle"))["cycle"] or 0


def _people(program: Program, mode: str, cycle: int) -> list[MemberProfile]:
    profiles = (
        MemberProfile.objects.filter(
            program=program,
            completed_at__isnull=False,
            user__is_active=True,
            user__organization_roles__organization=program.organization,
            user__organization_roles__role=Role.MEMBER,
        )
        .select_related("user")
        .order_by("user_id")
    )
    if mode == MODE_UNPLACED:
        grouped = GroupMembership.objects.filter(program=program, cycle=cycle).values("user_id")
        profiles = profiles.exclude(user_id__in=grouped)
    return list(profiles)


def _facilitators(program: Program, cycle: int) -> list[dict]:
    """Approved facilitators with their free capacity in this cycle."""
    busy: dict[int, int] = {}
    for facilitator_id in PeerGroup.objects.filter(
        program__organization=program.organization, facilitator__isnull=False
    ).values_list("facilitator_id", flat=True):
        busy[facilitator_id] = busy.get(facilitator_id, 0) + 1
    result = []
    for profile in FacilitatorProfile.objects.filter(
        organization=program.organization, status=FacilitatorStatus.APPROVED
    ).select_related("user"):
        free = profile.capacity - busy.get(profile.user_id, 0)
        if free > 0:
            result.append(
                {
                    "user_id": profile.user_id,
                    "name": str(profile.user),
                    "free": free,
                    "regions": [r.casefold() for r in profile.regions_served],
                    "industries": [i.casefold() for i in profile.industries_served],
                    "expertise": list(profile.expertise),
                }
            )
    return result


@transaction.atomic
def formation_run_start(
    *, program: Program, acting_user: User, parameters: Parameters
) -> FormationRun:
    """Record the run with a snapshot of its people and queue it for a worker."""
    if parameters.max_size > 10 or parameters.min_size > parameters.max_size:
        raise ProposalRefused("Groups have between 2 and 10 members.")
    cycle_now = current_cycle(program)
    if parameters.mode == MODE_NEW_CYCLE:
        cycle = cycle_now + 1
    else:
        cycle = max(cycle_now, 1)
    profiles = _people(program, parameters.mode, cycle)
    if len(profiles) < parameters.min_size:
        raise ProposalRefused(
            f"Only {len(profiles)} member(s) with a complete intake are waiting for a group; "
            f"a group needs at least {parameters.min_size}."
        )
    user_ids = [p.user_id for p in profiles]
    index = {user_id: i for i, user_id in enumerate(user_ids)}
    conflicts = conflict_pairs(organization=program.organization, user_ids=user_ids)
    history = pair_history(program=program, user_ids=user_ids, before_cycle=cycle)
    snapshot = {
        "people": [
            {"user_id": p.user_id, "name": str(p.user), **criteria_module.profile_attributes(p)}
            for p in profiles
        ],
        "conflicts": [[index[a], index[b], why] for (a, b), why in sorted(conflicts.items())],
        "history": [[index[a], index[b]] for a, b in history],
        "facilitators": _facilitators(program, cycle),
    }
    run = FormationRun.objects.create(
        organization=program.organization,
        program=program,
        cycle=cycle,
        parameters=parameters.as_json(),
        snapshot=snapshot,
        created_by=acting_user,
    )
    audit(
        organization=program.organization,
        acting_user=acting_user,
        action="formation_run_start",
        run_id=run.pk,
        people=len(user_ids),
    )
    from peergroups.formation.tasks import formation_run_task

    transaction.on_commit(lambda: formation_run_task.enqueue(run.pk))
    return run


def run_affinity(run: FormationRun) -> np.ndarray:
    people = run.snapshot["people"]
    return build_affinity(people, criteria_module.engine_criteria(run.parameters["criteria"]))


def run_problem(run: FormationRun, affinity: np.ndarray) -> grouping.Problem:
    params = run.parameters
    segment = criteria_module.SEGMENT_BY_BASIS.get(params["basis"])
    people = run.snapshot["people"]
    return grouping.Problem(
        affinity=affinity,
        group_size=(params["min_size"], params["max_size"]),
        cannot_link=tuple((a, b) for a, b, _ in run.snapshot["conflicts"]),
        segments=tuple(person[segment] or "—" for person in people) if segment else None,
        history=tuple(tuple(pair) for pair in run.snapshot["history"]),
        history_penalty=float(params["history_penalty"]),
    )


def formation_run_execute(run_id: int) -> None:
    """Solve a queued run; called by the task worker. Never raises for a bad run."""
    claimed = FormationRun.objects.filter(
        pk=run_id, status=RunStatus.QUEUED, cancel_requested=False
    ).update(status=RunStatus.RUNNING, started_at=timezone.now())
    if not claimed:
        FormationRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
            status=RunStatus.CANCELLED, finished_at=timezone.now()
        )
        return
    run = FormationRun.objects.get(pk=run_id)
    last_report = [0.0]

    def progress(best: float, fraction: float) -> bool:
        # Called between chunks of iterations: report at most twice a second and
        # learn whether the admin pressed cancel.
        now = time.monotonic()
        if now - last_report[0] < PROGRESS_EVERY_SECONDS:
            return True
        last_report[0] = now
        FormationRun.objects.filter(pk=run_id).update(
            progress=min(fraction, 0.99), best_objective=best
        )
        return not FormationRun.objects.filter(pk=run_id, cancel_requested=True).exists()

    try:
        affinity = run_affinity(run)
        problem = run_problem(run, affinity)
        solution = grouping.solve(
            problem,
            seconds=float(run.parameters["seconds"]),
            seed=int(run.parameters["seed"]),
            progress=progress,
        )
    except grouping.GroupingError as error:
        message = str(error)
        segment = criteria_module.SEGMENT_BY_BASIS.get(run.parameters["basis"])
        if segment:  # the engine says "segment"; the admin chose "by region"
            message = message.replace("segment", criteria_module.ATTRIBUTES[segment][0].lower())
        FormationRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, error=message, finished_at=timezone.now()
        )
        return
    except Exception:
        logger.exception("Formation run %s failed", run_id)
        FormationRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED,
            error="The run stopped on an unexpected error; it was logged for the team.",
            finished_at=timezone.now(),
        )
        return

    user_ids = [person["user_id"] for person in run.snapshot["people"]]
    member_indices = [members for members in solution.groups if members]
    groups = [[user_ids[i] for i in members] for members in member_indices]
    facilitators = assign_facilitators(run, member_indices)
    cancelled = FormationRun.objects.filter(pk=run_id, cancel_requested=True).exists()
    FormationRun.objects.filter(pk=run_id).update(
        status=RunStatus.CANCELLED if cancelled else RunStatus.DONE,
        proposal={"groups": groups, "facilitators": facilitators},
        best_objective=solution.objective,
        upper_bound=solution.upper_bound,
        progress=1.0,
        baselines={
            "random": random_baseline(
                problem, affinity, member_indices, seed=int(run.parameters["seed"])
            )
        },
        finished_at=timezone.now(),
    )


def random_baseline(
    problem: grouping.Problem, affinity: np.ndarray, groups: list[list[int]], *, seed: int
) -> float:
    """The objective of a random grouping of the same shape, for comparison.

    People are shuffled within their segment into groups of the proposal's sizes,
    so the two differ only in who is with whom (conflicts are not avoided).
    """
    rng = np.random.default_rng(seed)
    segment_of = problem.segments or (None,) * problem.n
    pools: dict = {}
    for person in range(problem.n):
        pools.setdefault(segment_of[person], []).append(person)
    for pool in pools.values():
        rng.shuffle(pool)
    total = 0.0
    for members in groups:
        pool = pools[segment_of[members[0]]]
        drawn = [pool.pop() for _ in members]
        total += float(affinity[np.ix_(drawn, drawn)].sum() / 2)
    return total


def facilitator_fit(facilitator: dict, members: list[dict]) -> float:
    """How well a facilitator suits a group: region, industry, expertise for its challenges."""
    score = 0.0
    regions = {m["region"].casefold() for m in members if m["region"]}
    industries = {m["industry"].casefold() for m in members if m["industry"]}
    if facilitator["regions"]:
        score += 2.0 * len(regions & set(facilitator["regions"])) / max(len(regions), 1)
    if facilitator["industries"]:
        score += 2.0 * len(industries & set(facilitator["industries"])) / max(len(industries), 1)
    wanted = [topic for m in members for topic in m["challenge_topics"]]
    if wanted:
        covered = sum(topic in facilitator["expertise"] for topic in wanted)
        score += 3.0 * covered / len(wanted)
    return score


def assign_facilitators(run: FormationRun, groups: list[list[int]]) -> list[int | None]:
    """Match facilitators to groups as an assignment problem (Kuhn-Munkres via SciPy).

    Each facilitator appears once per free seat of capacity, so no one is given
    more groups than they can lead; groups beyond the total capacity get none.
    """
    from scipy.optimize import linear_sum_assignment

    slots = [f for f in run.snapshot["facilitators"] for _ in range(f["free"])]
    if not slots or not groups:
        return [None] * len(groups)
    people = run.snapshot["people"]
    fit = np.array(
        [[facilitator_fit(f, [people[i] for i in members]) for f in slots] for members in groups]
    )
    rows, cols = linear_sum_assignment(fit, maximize=True)
    chosen: list[int | None] = [None] * len(groups)
    for row, col in zip(rows, cols, strict=True):
        chosen[row] = slots[col]["user_id"]
    return chosen


# --- Hand adjustments of a proposal -------------------------------------------------


def _locked_proposal(run: FormationRun) -> FormationRun:
    locked = FormationRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != RunStatus.DONE:
        raise ProposalRefused(
            f"This run is {locked.get_status_display().lower()}; it cannot be changed."
        )
    return locked


def _where(run: FormationRun) -> dict[int, int]:
    return {user_id: g for g, members in enumerate(run.proposal["groups"]) for user_id in members}


def _check_joins(run: FormationRun, user_id: int, members: list[int]) -> None:
    """Refuse when `user_id` may not share a group with any of `members`."""
    people = run.snapshot["people"]
    index = {person["user_id"]: i for i, person in enumerate(people)}
    me = index[user_id]
    others = {index[m] for m in members if m != user_id}
    for a, b, why in run.snapshot["conflicts"]:
        if (a == me and b in others) or (b == me and a in others):
            other = people[b if a == me else a]
            raise ProposalRefused(
                f"{people[me]['name']} and {other['name']} cannot share a group ({why})."
            )
    segment = criteria_module.SEGMENT_BY_BASIS.get(run.parameters["basis"])
    if segment:
        for other in others:
            if people[other][segment] != people[me][segment]:
                label = criteria_module.ATTRIBUTES[segment][0].lower()
                raise ProposalRefused(
                    f"Groups of this run stay within one {label}: {people[me]['name']} is in "
                    f"{people[me][segment] or 'none'}, the group in {people[other][segment] or 'none'}."
                )


def _save_edit(run: FormationRun, groups: list[list[int]], acting_user: User, action: str) -> None:
    run.undo_stack = [run.proposal, *run.undo_stack][:UNDO_DEPTH]
    run.proposal = {**run.proposal, "groups": groups}
    run.save(update_fields=["proposal", "undo_stack"])
    audit(organization=run.organization, acting_user=acting_user, action=action, run_id=run.pk)


@transaction.atomic
def proposal_move(*, run: FormationRun, user_id: int, to_group: int, acting_user: User) -> None:
    run = _locked_proposal(run)
    groups = [list(g) for g in run.proposal["groups"]]
    where = _where(run)
    if user_id not in where:
        raise ProposalRefused("That person is not part of this proposal.")
    if not 0 <= to_group < len(groups):
        raise ProposalRefused("No such group in this proposal.")
    source = where[user_id]
    if source == to_group:
        raise ProposalRefused("That person is in this group already.")
    low, high = run.parameters["min_size"], run.parameters["max_size"]
    if len(groups[to_group]) + 1 > high:
        raise ProposalRefused(f"Group {to_group + 1} is full: groups have at most {high} members.")
    if len(groups[source]) - 1 < low:
        raise ProposalRefused(
            f"Group {source + 1} would drop below {low} members; swap two people instead."
        )
    _check_joins(run, user_id, groups[to_group])
    groups[source].remove(user_id)
    groups[to_group].append(user_id)
    _save_edit(run, groups, acting_user, "proposal_move")


@transaction.atomic
def proposal_swap(*, run: FormationRun, user_a: int, user_b: int, acting_user: User) -> None:
    run = _locked_proposal(run)
    groups = [list(g) for g in run.proposal["groups"]]
    where = _where(run)
    if user_a not in where or user_b not in where:
        raise ProposalRefused("Both people must be part of this proposal.")
    group_a, group_b = where[user_a], where[user_b]
    if group_a == group_b:
        raise ProposalRefused("They are in the same group already.")
    _check_joins(run, user_a, [m for m in groups[group_b] if m != user_b])
    _check_joins(run, user_b, [m for m in groups[group_a] if m != user_a])
    groups[group_a][groups[group_a].index(user_a)] = user_b
    groups[group_b][groups[group_b].index(user_b)] = user_a
    _save_edit(run, groups, acting_user, "proposal_swap")


@transaction.atomic
def proposal_undo(*, run: FormationRun, acting_user: User) -> None:
    run = _locked_proposal(run)
    if not run.undo_stack:
        raise ProposalRefused("Nothing to undo.")
    run.proposal, *rest = run.undo_stack
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
    *, run: FormationRun, group: int, facilitator_id: int | None, acting_user: User
) -> None:
    run = _locked_proposal(run)
    facilitators = list(run.proposal["facilitators"])
    if not 0 <= group < len(facilitators):
        raise ProposalRefused("No such group in this proposal.")
    if facilitator_id is not None:
        known = {f["user_id"]: f for f in run.snapshot["facilitators"]}
        if facilitator_id not in known:
            raise ProposalRefused("Only approved facilitators with free capacity can be chosen.")
        taken = sum(1 for g, f in enumerate(facilitators) if f == facilitator_id and g != group)
        if taken >= known[facilitator_id]["free"]:
            raise ProposalRefused(
                f"{known[facilitator_id]['name']} has no free capacity for another group."
            )
    facilitators[group] = facilitator_id
    run.undo_stack = [run.proposal, *run.undo_stack][:UNDO_DEPTH]
    run.proposal = {**run.proposal, "facilitators": facilitators}
    run.save(update_fields=["proposal", "undo_stack"])
    audit(
        organization=run.organization,
        acting_user=acting_user,
        action="proposal_facilitator",
        run_id=run.pk,
    )


@transaction.atomic
def formation_run_cancel(*, run: FormationRun, acting_user: User) -> None:
    FormationRun.objects.filter(pk=run.pk, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(
        cancel_requested=True
    )
    # A run no worker has picked up yet is cancelled at once.
    FormationRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.CANCELLED, finished_at=timezone.now()
    )
    audit(
        organization=run.organization,
        acting_user=acting_user,
        action="formation_run_cancel",
        run_id=run.pk,
    )


# --- Publishing ---------------------------------------------------------------------


@transaction.atomic
def formation_run_publish(*, run: FormationRun, acting_user: User) -> list[PeerGroup]:
    """Create the proposal's groups and memberships in one transaction.

    Any failure (someone placed meanwhile, a group over capacity) rolls back every
    group created so far: a publish is all or nothing. It can happen once.
    """
    from peergroups.groups.services import AlreadyGrouped, GroupFull

    run = FormationRun.objects.select_for_update().select_related("program").get(pk=run.pk)
    if run.status == RunStatus.PUBLISHED:
        raise ProposalRefused("This proposal was published already.")
    if run.status != RunStatus.DONE:
        raise ProposalRefused("Only a finished proposal can be published.")
    program = run.program
    facilitator_ids = [f for f in run.proposal["facilitators"] if f]
    users = User.objects.in_bulk([u for g in run.proposal["groups"] for u in g] + facilitator_ids)
    taken_names = set(
        PeerGroup.objects.filter(program=program, cycle=run.cycle).values_list("name", flat=True)
    )
    created = []
    number = len(taken_names)
    try:
        for members, facilitator_id in zip(
            run.proposal["groups"], run.proposal["facilitators"], strict=True
        ):
            number += 1
            while f"Group {number}" in taken_names:
                number += 1
            group = group_create(
                program=program,
                name=f"Group {number}",
                acting_user=acting_user,
                capacity=program.max_group_size,
                facilitator=users.get(facilitator_id),
                cycle=run.cycle,
            )
            for user_id in members:
                membership_add(group=group, user=users[user_id], acting_user=acting_user)
            created.append(group)
    except (AlreadyGrouped, GroupFull) as error:
        raise ProposalRefused(f"Nothing was published: {error} Start a new run.") from None
    run.status = RunStatus.PUBLISHED
    run.published_at = timezone.now()
    run.published_by = acting_user
    run.save(update_fields=["status", "published_at", "published_by"])
    audit(
        organization=run.organization,
        acting_user=acting_user,
        action="formation_run_publish",
        run_id=run.pk,
        groups=len(created),
    )
    from peergroups.formation.tasks import group_welcome_send

    group_ids = [group.pk for group in created]
    transaction.on_commit(lambda: [group_welcome_send.enqueue(group_id) for group_id in group_ids])
    return created


# --- Late joiners -------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    group: PeerGroup
    fit: float  # mean affinity to the group's members under the program's default criteria
    reason: str


def placement_suggestions(*, program: Program, user: User) -> list[Placement]:
    """Groups of the current cycle with an open seat and no conflict, best fit first."""
    cycle = current_cycle(program)
    groups = list(
        PeerGroup.objects.filter(program=program, cycle=cycle, member_count__lt=F("capacity"))
        .prefetch_related("memberships")
        .order_by("name")
    )
    if not groups:
        return []
    member_ids = {g.pk: [m.user_id for m in g.memberships.all()] for g in groups}
    everyone = [user.pk, *{u for ids in member_ids.values() for u in ids}]
    conflicts = conflict_pairs(organization=program.organization, user_ids=everyone)
    profiles = {
        p.user_id: p
        for p in MemberProfile.objects.filter(
            organization=program.organization, user_id__in=everyone
        )
    }
    if user.pk not in profiles:
        return []
    order = [u for u in everyone if u in profiles]
    position = {u: i for i, u in enumerate(order)}
    criteria = criteria_module.engine_criteria(
        program.criteria_weights.get("criteria")
        or criteria_module.default_criteria(program.grouping_basis)
    )
    affinity = build_affinity(
        [criteria_module.profile_attributes(profiles[u]) for u in order], criteria
    )
    segment = criteria_module.SEGMENT_BY_BASIS.get(program.grouping_basis)
    mine = profiles[user.pk]
    suggestions = []
    for group in groups:
        ids = [u for u in member_ids[group.pk] if u in position]
        if any((min(user.pk, u), max(user.pk, u)) in conflicts for u in member_ids[group.pk]):
            continue
        if (
            segment
            and ids
            and any(
                getattr(profiles[u], segment).strip() != getattr(mine, segment).strip() for u in ids
            )
        ):
            continue
        fit = float(affinity[position[user.pk], [position[u] for u in ids]].mean()) if ids else 0.0
        suggestions.append(
            Placement(group=group, fit=fit, reason=f"{group.open_seats} open seat(s)")
        )
    return sorted(suggestions, key=lambda p: (-p.fit, p.group.name))


@transaction.atomic
def placement_apply(*, group: PeerGroup, user: User, acting_user: User) -> None:
    """Place a late joiner; the group row lock serialises placements into one group."""
    group = PeerGroup.objects.select_for_update().get(pk=group.pk)
    members = list(group.memberships.values_list("user_id", flat=True))
    conflicts = conflict_pairs(organization=group.organization, user_ids=[user.pk, *members])
    clash = next((pair for pair in conflicts if user.pk in pair), None)
    if clash:
        raise ProposalRefused(f"{user} cannot join {group.name} ({conflicts[clash]}).")
    membership_add(group=group, user=user, acting_user=acting_user)


def unplaced_members(program: Program) -> list[MemberProfile]:
    """Members of the program with a complete intake and no group in the current cycle."""
    return _people(program, MODE_UNPLACED, max(current_cycle(program), 1))
