"""Facilitators for proposed groups: fit by region, industry and expertise, within capacity.

Runs in the task worker (`execute`), which imports SciPy; web processes never call
`facilitators_assign`.
"""

from collections.abc import Mapping, Sequence

from peergroups.formation.snapshot import FacilitatorOption


def facilitator_fit(facilitator: FacilitatorOption, members: Sequence[Mapping]) -> float:
    """How well a facilitator suits a group: region, industry, expertise for its challenges."""
    score = 0.0
    regions = {m["region"].casefold() for m in members if m["region"]}
    industries = {m["industry"].casefold() for m in members if m["industry"]}
    if facilitator.regions:
        score += 2.0 * len(regions & set(facilitator.regions)) / max(len(regions), 1)
    if facilitator.industries:
        score += 2.0 * len(industries & set(facilitator.industries)) / max(len(industries), 1)
    wanted = [topic for m in members for topic in m["challenge_topics"]]
    if wanted:
        covered = sum(topic in facilitator.expertise for topic in wanted)
        score += 3.0 * covered / len(wanted)
    return score


def facilitators_assign(
    facilitators: Sequence[FacilitatorOption], groups: Sequence[Sequence[Mapping]]
) -> list[int | None]:
    """Match facilitators to groups as an assignment problem (Kuhn-Munkres via SciPy).

    `groups` holds each group's members' attributes. Each facilitator appears once per
    free seat of capacity, so no one is given more groups than they can lead; groups
    beyond the total capacity get none. Returns a facilitator user id (or None) per group.
    """
    from scipy.optimize import linear_sum_assignment

    slots = [f for f in facilitators for _ in range(f.free)]
    if not slots or not groups:
        return [None] * len(groups)
    fit = [[facilitator_fit(f, members) for f in slots] for members in groups]
    rows, cols = linear_sum_assignment(fit, maximize=True)
    chosen: list[int | None] = [None] * len(groups)
    for row, col in zip(rows, cols, strict=True):
        chosen[row] = slots[col].user_id
    return chosen
