"""The formation task's work: solve a queued run with the engine and store the proposal.

Only the task worker imports this module (through `formation.tasks`, inside the task
function, or as the home of `formation_part_task`): it loads the engine, NumPy, numba and
SciPy, which web processes never do.
"""

import gc
import logging
import time
from itertools import combinations
from typing import NamedTuple

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

import grouping
from grouping.affinity import Criterion, affinity_unit, build_affinity
from grouping.explain import criterion_breakdown, explain_group
from peergroups.formation import scoring
from peergroups.formation.criteria import (
    ATTRIBUTES,
    SEGMENT_BY_BASIS,
    display_attributes,
    measures,
    worded_measures,
)
from peergroups.formation.diagnosis import formation_diagnose
from peergroups.formation.facilitators import facilitators_assign
from peergroups.formation.models import FormationPart, FormationRun, PartStatus, RunStatus
from peergroups.formation.parameters import FORMATION_QUEUE, SECONDS, Parameters
from peergroups.formation.proposal import Proposal, ProposedGroup, group_violations
from peergroups.formation.snapshot import Snapshot, snapshot_index

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 0.5


def engine_criteria(parameters: Parameters) -> list[Criterion]:
    return [Criterion(*m) for m in measures(parameters.criteria)]


# From this many people the affinity is int16, in steps of `affinity_unit` (0.0002 for
# five criteria): 200 MB instead of 800 (float64) at 10,000 people, and faster to search
# (half the bytes of float32 per row swept). Rounding moves a group of 10's score by at
# most 45 half steps; the proposal's figures are recomputed exactly (float64) per group,
# so what an admin reads does not depend on it.
QUANTIZED_FROM_PEOPLE = 2000


def affinity_dtype(people: int):
    return np.int16 if people >= QUANTIZED_FROM_PEOPLE else np.float64


# Rows of the affinity built at once. Each criterion's temporaries are this many rows
# of float64 (9 MB at 9,000 people, against 74 MB for 1,024 rows): the task's peak at
# 10,000 people went from 849 to about 630 MB, as fast (the blocks still fill a cache).
AFFINITY_BLOCK_ROWS = 128


def run_problem(
    snapshot: Snapshot, parameters: Parameters, *, dtype=np.float64
) -> grouping.Problem:
    """The engine's problem: people in user id order, pairs as positions in that order.

    The affinity is built here, once per run: the solver searches every segment and
    restart on it, and scores the result on it."""
    position = {p.user_id: i for i, p in enumerate(snapshot.people)}
    segment = parameters.segment
    attributes = [p.attributes for p in snapshot.people]
    criteria = engine_criteria(parameters)
    unit = affinity_unit(criteria, float(parameters.history_penalty))
    whole = np.dtype(dtype).kind == "i"
    return grouping.Problem(
        affinity=build_affinity(
            attributes,
            criteria,
            dtype=dtype,
            spans=snapshot.spans,
            block=AFFINITY_BLOCK_ROWS,
            unit=unit if whole else None,
        ),
        affinity_scale=unit if whole else 1.0,
        group_size=(parameters.min_size, parameters.fill_size),
        cannot_link=tuple((position[a], position[b]) for a, b in snapshot.kept_apart),
        segments=tuple(parameters.segment_of(p) for p in attributes) if segment else None,
        history=tuple((position[a], position[b]) for a, b in snapshot.history),
        history_penalty=float(parameters.history_penalty),
    )


# The admin's time budget is the whole task's: the search gets what is left of it once
# the problem is built, less what comes after the search. That is the search's last
# sweep (it cannot stop inside one, O(n^2)) and the proposal's figures, about 0.6 times
# the affinity's build (also O(n^2), so it scales with the machine and its load: at
# 9,010 people on a loaded 2-core machine, build 9 s, last sweep 3 s, after 2.5 s).
AFTER_SEARCH_PER_BUILD = 0.6
AFTER_SEARCH_SECONDS = 0.2  # and the writes, whatever the size
# However long the set-up took, the search has at least this share of the budget.
SEARCH_SHARE_MIN = 0.05


def _budget(parameters: Parameters, *, deadline: float | None = None, build: float = 0.0) -> dict:
    """The engine's budget. `deadline` (time.monotonic()) is when the task should end:
    the search gets the time up to it less `build`'s estimate of what follows."""
    if parameters.max_iterations is None:
        seconds = float(parameters.seconds)
        if deadline is not None:
            after = AFTER_SEARCH_PER_BUILD * build + AFTER_SEARCH_SECONDS
            seconds = max(SEARCH_SHARE_MIN * seconds, deadline - time.monotonic() - after)
        return {"seconds": seconds}
    # "Rerun exactly": the step count decides where the search stops. The time limit is
    # only a guard against a much slower machine (then `stopped` says "budget").
    steps = parameters.max_iterations
    return {
        "max_iterations": [int(n) for n in steps] if isinstance(steps, list) else int(steps),
        "seconds": float(min(SECONDS[1], 2 * parameters.seconds + 30)),
    }


def formation_run_execute(run_id: int, *, started: float | None = None) -> None:
    """Solve a queued run; called by the task worker. Never raises for a bad run.

    The whole task keeps to the run's time budget (`_budget`): loading the run, building
    the affinity and writing the proposal come out of it, not on top of it. `started`
    (time.monotonic()) is when the task began, if before this call (loading the engine)."""
    deadline = time.monotonic() if started is None else started
    claimed = FormationRun.objects.filter(
        pk=run_id, status=RunStatus.QUEUED, cancel_requested=False
    ).update(status=RunStatus.RUNNING, started_at=timezone.now())
    if not claimed:
        FormationRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
            status=RunStatus.CANCELLED, finished_at=timezone.now()
        )
        return
    run = FormationRun.objects.get(pk=run_id)
    snapshot = Snapshot.from_json(run.snapshot)
    parameters = Parameters.from_json(run.parameters)
    deadline += float(parameters.seconds)
    segments = segments_of(snapshot, parameters)
    if len(segments) > 1 and len(snapshot.people) >= settings.FORMATION_SEGMENT_TASKS_FROM:
        parts_queue(run, segments)
        return
    # The stored snapshot as read (its JSON, 20 MB at 10,000 people) is not needed again:
    # free it before the affinity and the search take their memory (deferred now, so a
    # save would not write it).
    del run.snapshot
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

    dtype = affinity_dtype(len(snapshot.people))
    # Load the kernels (once per process) for this run's dtype only: the other dtype's
    # machine code would stay in memory through the search for nothing.
    grouping.warm_up((dtype,))
    try:
        built = time.monotonic()
        problem = run_problem(snapshot, parameters, dtype=dtype)
        built = time.monotonic() - built
        gc.collect()  # the affinity's temporaries, before the search's own arrays
        solution = grouping.solve(
            problem,
            seed=int(parameters.seed),
            progress=progress,
            in_place=True,  # the history penalty without a second n x n matrix
            **_budget(parameters, deadline=deadline, build=built),
        )
    except grouping.GroupingError as error:
        diagnosis = _diagnose(snapshot, parameters)
        FormationRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED,
            error=_in_words(error, parameters, diagnosis),
            diagnosis=diagnosis or None,
            finished_at=timezone.now(),
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

    proposal = proposal_from_solution(snapshot, parameters, solution, exact=dtype != np.float64)
    member_indices = [members for members in solution.groups if members]
    cancelled = FormationRun.objects.filter(pk=run_id, cancel_requested=True).exists()
    # Edits and the review page read the indexed snapshot, not the whole of it.
    facts = run.snapshot_facts if cancelled else snapshot_index(run, snapshot)
    FormationRun.objects.filter(pk=run_id).update(
        status=RunStatus.CANCELLED if cancelled else RunStatus.DONE,
        proposal=proposal.as_json(),
        snapshot_facts=facts,
        best_objective=sum(group.score for group in proposal.groups),
        upper_bound=solution.upper_bound,
        iterations=solution.iterations,
        part_iterations=list(solution.part_iterations),
        engine_version=solution.engine_version,
        stopped=getattr(solution, "stopped", ""),
        progress=1.0,
        baselines={"random": random_baseline(problem, member_indices, seed=int(parameters.seed))},
        finished_at=timezone.now(),
    )


def _diagnose(snapshot: Snapshot, parameters: Parameters) -> list[dict]:
    return formation_diagnose(
        people=((p.user_id, p.attributes) for p in snapshot.people),
        kept_apart=snapshot.kept_apart,
        parameters=parameters,
    )


def _in_words(
    error: grouping.GroupingError, parameters: Parameters, diagnosis: list[dict] | None = None
) -> str:
    if diagnosis:  # the diagnosis says it for people: segment, how many, why
        return " ".join(entry["reason"] for entry in diagnosis)
    message = str(error)
    segment = SEGMENT_BY_BASIS.get(parameters.basis)
    if segment:  # the engine says "segment"; the admin chose "by region"
        message = message.replace("segment", ATTRIBUTES[segment][0].lower())
    return message


def segments_of(snapshot: Snapshot, parameters: Parameters) -> list[tuple[str, int]]:
    """The run's segments (label, people) in the engine's order (first appearance), or []."""
    if not parameters.segment:
        return []
    counts: dict[str, int] = {}
    for person in snapshot.people:
        label = parameters.segment_of(person.attributes)  # as `run_problem` labels them
        counts[label] = counts.get(label, 0) + 1
    return list(counts.items())


@task(queue_name=FORMATION_QUEUE)
def formation_part_task(run_id: int, index: int) -> bool:
    """One segment of a large run (`formation_part_execute`); True for the part that
    assembled the proposal. Queued by `parts_queue`, so it lives beside it."""
    return formation_part_execute(run_id, index)


def parts_queue(run: FormationRun, segments: list[tuple[str, int]]) -> None:
    """Split a running run into one task per segment on the formation queue."""
    with transaction.atomic():
        FormationPart.objects.filter(run=run).delete()
        FormationPart.objects.bulk_create(
            FormationPart(run=run, index=index, label=label, people=people)
            for index, (label, people) in enumerate(segments)
        )
        FormationRun.objects.filter(pk=run.pk).update(parts_total=len(segments), parts_done=0)
        for index in range(len(segments)):
            transaction.on_commit(lambda index=index: formation_part_task.enqueue(run.pk, index))


def _part_budget(parameters: Parameters, part: FormationPart, weights: list[int]) -> dict:
    """The part's share of the run's budget, as the engine shares it between segments
    in one task (by search cost, people squared); a rerun's step count for the part."""
    budget = _budget(parameters)
    steps = budget.get("max_iterations")
    if isinstance(steps, list):
        budget["max_iterations"] = steps[part.index]
    budget["seconds"] *= part.people**2 / sum(w**2 for w in weights)
    return budget


def _run_stopped(run_id: int) -> bool:
    return not FormationRun.objects.filter(
        pk=run_id, status=RunStatus.RUNNING, cancel_requested=False
    ).exists()


def formation_part_execute(run_id: int, index: int) -> bool:
    """Search one segment of a run; the last part to finish assembles the proposal.

    Returns whether this call assembled it (exactly one part's does). A segment that
    cannot be grouped fails the whole run with the engine's reason.
    """
    claimed = FormationPart.objects.filter(
        run_id=run_id, index=index, status=PartStatus.QUEUED
    ).update(status=PartStatus.RUNNING)
    if not claimed:
        return False  # taken already (a task delivered twice)
    part = FormationPart.objects.get(run_id=run_id, index=index)
    if _run_stopped(run_id):
        FormationPart.objects.filter(pk=part.pk).update(status=PartStatus.STOPPED)
        _finish_if_cancelled(run_id)
        return False
    run = FormationRun.objects.get(pk=run_id)
    full = Snapshot.from_json(run.snapshot)
    parameters = Parameters.from_json(run.parameters)
    people = tuple(p for p in full.people if parameters.segment_of(p.attributes) == part.label)
    ids = {p.user_id for p in people}
    snapshot = Snapshot(
        people=people,
        kept_apart={pair: why for pair, why in full.kept_apart.items() if set(pair) <= ids},
        history=tuple(pair for pair in full.history if set(pair) <= ids),
        spans=full.number_spans(),  # numbers compare over everyone, as in one task
    )
    del full
    weights = list(FormationPart.objects.filter(run_id=run_id).values_list("people", flat=True))
    last_report = [0.0]

    def progress(best: float, fraction: float) -> bool:
        now = time.monotonic()
        if now - last_report[0] < PROGRESS_EVERY_SECONDS:
            return True
        last_report[0] = now
        return not _run_stopped(run_id)  # another part failed, or the admin cancelled

    dtype = affinity_dtype(len(people))
    grouping.warm_up((dtype,))  # this part's type only, as a one-task run loads
    started = time.perf_counter()
    try:
        problem = run_problem(snapshot, parameters, dtype=dtype)
        solution = grouping.solve(
            problem,
            seed=int(parameters.seed) + index,
            progress=progress,
            in_place=True,
            bound=False,
            **_part_budget(parameters, part, weights),
        )
    except Exception as error:
        if not isinstance(error, grouping.GroupingError):
            logger.exception("Part %s of formation run %s failed", index, run_id)
        diagnosis = (
            _diagnose(snapshot, parameters) if isinstance(error, grouping.GroupingError) else []
        )
        reason = (
            _in_words(error, parameters, diagnosis)
            if isinstance(error, grouping.GroupingError)
            else "The run stopped on an unexpected error; it was logged for the team."
        )
        FormationPart.objects.filter(pk=part.pk).update(status=PartStatus.STOPPED)
        FormationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED,
            error=reason,
            diagnosis=diagnosis or None,
            finished_at=timezone.now(),
        )
        return False
    kept = [(members, score) for members, score in zip(solution.groups, solution.group_scores, strict=True) if members]  # fmt: skip
    found = proposal_from_solution(
        snapshot, parameters, _Found([m for m, _ in kept], [s for _, s in kept]),
        exact=dtype != np.float64, figures=False,
    )  # fmt: skip
    FormationPart.objects.filter(pk=part.pk).update(
        status=PartStatus.DONE,
        groups=[list(g.members) for g in found.groups],
        scores=[g.score for g in found.groups],
        iterations=solution.iterations,
        stopped=solution.stopped,
        baseline=random_baseline(problem, [m for m, _ in kept], seed=int(parameters.seed)),
        seconds=time.perf_counter() - started,
    )
    del problem, solution
    with transaction.atomic():
        # The run's row lock orders the parts' ends: exactly one sees the last count.
        locked = FormationRun.objects.select_for_update().only("status", "parts_total", "parts_done").get(pk=run_id)  # fmt: skip
        if locked.status != RunStatus.RUNNING:
            return False
        locked.parts_done += 1
        locked.progress = min(0.99, locked.parts_done / locked.parts_total)
        locked.save(update_fields=["parts_done", "progress"])
        last = locked.parts_done == locked.parts_total
    if last:
        try:
            _parts_assemble(run_id)
        except Exception:
            logger.exception("Assembling formation run %s failed", run_id)
            FormationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
                status=RunStatus.FAILED,
                error="The run stopped on an unexpected error; it was logged for the team.",
                finished_at=timezone.now(),
            )
    return last


def _finish_if_cancelled(run_id: int) -> None:
    FormationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING, cancel_requested=True).update(
        status=RunStatus.CANCELLED, finished_at=timezone.now()
    )


class _Found(NamedTuple):
    groups: list[list[int]]
    group_scores: list[float]


def _parts_assemble(run_id: int) -> None:
    """The proposal from every part's groups: facilitators matched across all of them."""
    run = FormationRun.objects.get(pk=run_id)
    snapshot = Snapshot.from_json(run.snapshot)
    parameters = Parameters.from_json(run.parameters)
    position = {p.user_id: i for i, p in enumerate(snapshot.people)}
    parts = list(FormationPart.objects.filter(run_id=run_id).order_by("index"))
    found = _Found(
        [[position[u] for u in members] for part in parts for members in part.groups],
        [score for part in parts for score in part.scores],
    )
    proposal = proposal_from_solution(snapshot, parameters, found)
    cancelled = FormationRun.objects.filter(pk=run_id, cancel_requested=True).exists()
    facts = run.snapshot_facts if cancelled else snapshot_index(run, snapshot)
    FormationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        status=RunStatus.CANCELLED if cancelled else RunStatus.DONE,
        proposal=proposal.as_json(),
        snapshot_facts=facts,
        best_objective=sum(group.score for group in proposal.groups),
        upper_bound=None,
        iterations=sum(part.iterations for part in parts),
        part_iterations=[part.iterations for part in parts],
        engine_version=grouping.ENGINE_VERSION,
        stopped="budget" if any(p.stopped == "budget" for p in parts) else "iterations",
        progress=1.0,
        baselines={"random": sum(part.baseline for part in parts)},
        finished_at=timezone.now(),
    )


def proposal_from_solution(
    snapshot: Snapshot,
    parameters: Parameters,
    solution: "grouping.Solution | _Found",
    *,
    exact=False,
    figures=True,
) -> Proposal:
    """The engine's groups (empty ones dropped) with its scores, breakdowns and explanations.

    `exact`: score each group again in float64 (`formation.scoring`, held equal to the
    engine's float64 figures), for a solution found on an int16 affinity."""
    attributes = [p.attributes for p in snapshot.people]
    display = [display_attributes(a) for a in attributes]
    criteria = engine_criteria(parameters)
    worded = [Criterion(*m) for m in worded_measures(parameters.criteria, parameters.basis)]
    kept = [
        (members, score)
        for members, score in zip(solution.groups, solution.group_scores, strict=True)
        if members
    ]
    if exact:
        spans = snapshot.number_spans()
        measured = measures(parameters.criteria)
        kept = [
            (
                members,
                scoring.group_score(
                    [attributes[i] for i in members],
                    measured,
                    spans,
                    met=sum(
                        snapshot.met[pair]
                        for pair in combinations(
                            sorted(snapshot.people[i].user_id for i in members), 2
                        )
                    ),
                    history_penalty=parameters.history_penalty,
                ),
            )
            for members, _ in kept
        ]
    if not figures:  # a part's groups: the run's assembly figures them
        return Proposal(
            groups=tuple(
                ProposedGroup(
                    members=tuple(snapshot.people[i].user_id for i in members), score=float(score)
                )
                for members, score in kept
            )
        )
    facilitators = facilitators_assign(
        snapshot.facilitators, [[attributes[i] for i in members] for members, _ in kept]
    )
    return Proposal(
        groups=tuple(
            ProposedGroup(
                members=tuple(snapshot.people[i].user_id for i in members),
                facilitator_id=facilitator_id,
                score=float(score),
                breakdown=criterion_breakdown(attributes, members, criteria),
                explanation=explain_group(display, members, worded) if worded else "",
                violations=tuple(
                    group_violations(
                        snapshot=snapshot,
                        parameters=parameters,
                        index=index,
                        members=tuple(snapshot.people[i].user_id for i in members),
                    )
                ),
                new_pairs=sum(
                    pair not in snapshot.met
                    for pair in combinations(sorted(snapshot.people[i].user_id for i in members), 2)
                ),
            )
            for index, ((members, score), facilitator_id) in enumerate(
                zip(kept, facilitators, strict=True)
            )
        )
    )


def random_baseline(problem: grouping.Problem, groups: list[list[int]], *, seed: int) -> float:
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
        total += float(problem.affinity[np.ix_(drawn, drawn)].sum() / 2)
    return total * problem.affinity_scale
