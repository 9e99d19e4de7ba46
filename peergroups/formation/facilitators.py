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


def fit_matrix(facilitators: Sequence[FacilitatorOption], groups: Sequence[Sequence[Mapping]]):
    """`facilitator_fit` for every group (rows) and facilitator (columns), with NumPy.

    Built from multi-hot matrices (group x value, facilitator x value) whose products
    count the shared regions, industries and covered challenge topics, so 1,000 groups
    by 500 facilitators take milliseconds where the double loop took seconds.
    """
    import numpy as np

    def vocabulary(*lists):
        return {value: i for i, value in enumerate(sorted({v for values in lists for v in values}))}

    def multi_hot(rows, index, counts=False):
        matrix = np.zeros((len(rows), max(len(index), 1)), dtype=np.float32)
        for r, values in enumerate(rows):
            for value in values if counts else set(values):
                if value in index:
                    matrix[r, index[value]] += 1.0
        return matrix

    fit = np.zeros((len(groups), len(facilitators)), dtype=np.float32)
    for key, attribute, weight in (("region", "regions", 2.0), ("industry", "industries", 2.0)):
        wanted = [{m[key].casefold() for m in members if m[key]} for members in groups]
        offered = [getattr(f, attribute) for f in facilitators]
        index = vocabulary(*wanted, *offered)
        shared = multi_hot(wanted, index) @ multi_hot(offered, index).T
        sizes = np.maximum([len(w) for w in wanted], 1).astype(np.float32)[:, None]
        has_any = np.array([bool(o) for o in offered])[None, :]
        fit += np.where(has_any, weight * shared / sizes, 0.0)
    topics = [[t for m in members for t in m["challenge_topics"]] for members in groups]
    expertise = [f.expertise for f in facilitators]
    index = vocabulary(*topics, *expertise)
    covered = multi_hot(topics, index, counts=True) @ multi_hot(expertise, index).T
    totals = np.array([len(t) for t in topics], dtype=np.float32)[:, None]
    fit += np.where(totals > 0, 3.0 * covered / np.maximum(totals, 1.0), 0.0)
    return fit


def facilitators_assign(
    facilitators: Sequence[FacilitatorOption], groups: Sequence[Sequence[Mapping]]
) -> list[int | None]:
    """Match facilitators to groups as an assignment problem (Kuhn-Munkres via SciPy).

    `groups` holds each group's members' attributes. Each facilitator appears once per
    free seat of capacity, so no one is given more groups than they can lead; groups
    beyond the total capacity get none. Returns a facilitator user id (or None) per group.
    """
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    available = [f for f in facilitators if f.free > 0]
    if not available or not groups:
        return [None] * len(groups)
    # One column per free seat: the facilitator's column repeated `free` times.
    seats = np.repeat(np.arange(len(available)), [f.free for f in available])
    fit = fit_matrix(available, groups)[:, seats]
    rows, cols = linear_sum_assignment(fit, maximize=True)
    chosen: list[int | None] = [None] * len(groups)
    for row, col in zip(rows, cols, strict=True):
        chosen[row] = available[seats[col]].user_id
    return chosen
