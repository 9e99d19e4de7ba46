"""Reads for formation pages: the run as its admin sees it, scored and explained."""

from dataclasses import dataclass, field

import numpy as np
from django.http import Http404

from grouping.affinity import Criterion
from grouping.explain import criterion_breakdown, explain_group
from peergroups.formation import criteria as criteria_module
from peergroups.formation.models import FormationRun
from peergroups.formation.services import run_affinity
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import Role


def run_for_admin(*, access: OrgAccess, run_id: int) -> FormationRun:
    access.require(Role.ADMIN)
    run = (
        FormationRun.objects.select_related("program", "organization")
        .filter(organization=access.organization, pk=run_id)
        .first()
    )
    if run is None:
        raise Http404("No such formation run")
    return run


@dataclass
class GroupReview:
    index: int
    members: list[dict]
    score: float
    explanation: str
    breakdown: list[tuple[str, str, float]]  # (label, mode, 0..1)
    size_ok: bool
    conflicts: list[str]
    facilitator_id: int | None
    facilitator_name: str
    new_pairs: int
    pairs: int
    segment: str = ""


@dataclass
class ProposalReview:
    groups: list[GroupReview]
    objective: float
    upper_bound: float | None
    random_baseline: float | None
    new_pair_share: float | None
    facilitators: list[dict] = field(default_factory=list)

    @property
    def all_ok(self) -> bool:
        return all(g.size_ok and not g.conflicts for g in self.groups)


def proposal_review(run: FormationRun) -> ProposalReview:
    """Score, explain and check each proposed group, recomputed from the run's snapshot."""
    people = run.snapshot["people"]
    index = {person["user_id"]: i for i, person in enumerate(people)}
    affinity = run_affinity(run)
    history = {tuple(sorted(pair)) for pair in run.snapshot["history"]}
    conflicts = {(min(a, b), max(a, b)): why for a, b, why in run.snapshot["conflicts"]}
    criteria = criteria_module.engine_criteria(run.parameters["criteria"])
    # Explanations name values in words ("Hiring", "Tue morning"); numbers show in the breakdown.
    worded = [c for c in criteria if c.kind != "number"]
    segment = criteria_module.SEGMENT_BY_BASIS.get(run.parameters["basis"])
    if segment and all(c.attribute != segment for c in worded):
        # The segment is a hard rule, not a criterion, but it is what the group shares first.
        worded.insert(0, Criterion(segment, "similar", 1.0, "category"))
    display = [criteria_module.display_attributes(person) for person in people]
    penalty = float(run.parameters.get("history_penalty", 0))
    low, high = run.parameters["min_size"], run.parameters["max_size"]
    names = {f["user_id"]: f["name"] for f in run.snapshot["facilitators"]}
    reviews = []
    total_pairs = total_new = 0
    for g, (members, facilitator_id) in enumerate(
        zip(run.proposal["groups"], run.proposal["facilitators"], strict=True)
    ):
        idx = [index[u] for u in members]
        block = affinity[np.ix_(idx, idx)]
        pairs = [(a, b) for k, a in enumerate(idx) for b in idx[k + 1 :]]
        met = sum((min(a, b), max(a, b)) in history for a, b in pairs)
        breakdown = criterion_breakdown(people, idx, criteria)
        reviews.append(
            GroupReview(
                index=g,
                members=[people[i] for i in idx],
                score=float(block.sum() / 2) - penalty * met,
                explanation=explain_group(display, idx, worded) if worded else "",
                breakdown=[
                    (criteria_module.ATTRIBUTES[c.attribute][0], c.mode, breakdown[c.attribute])
                    for c in criteria
                ],
                size_ok=low <= len(idx) <= high,
                conflicts=[
                    f"{people[a]['name']} and {people[b]['name']} ({conflicts[(min(a, b), max(a, b))]})"
                    for a, b in pairs
                    if (min(a, b), max(a, b)) in conflicts
                ],
                facilitator_id=facilitator_id,
                facilitator_name=names.get(facilitator_id, ""),
                new_pairs=len(pairs) - met,
                pairs=len(pairs),
                segment=people[idx[0]][segment] if segment and idx else "",
            )
        )
        total_pairs += len(pairs)
        total_new += len(pairs) - met
    return ProposalReview(
        groups=reviews,
        objective=sum(r.score for r in reviews),
        upper_bound=run.upper_bound,
        random_baseline=run.baselines.get("random"),
        new_pair_share=(total_new / total_pairs) if history and total_pairs else None,
        facilitators=run.snapshot["facilitators"],
    )
