"""Checks kept apart from the search: validity and objective, recomputed from scratch.

The tests and the benchmark re-score every result with these functions, so a
bug in the solver's incremental bookkeeping cannot hide.
"""

from __future__ import annotations

import numpy as np

from grouping.problem import Problem


def _as_assignment(assignment) -> np.ndarray:
    return np.asarray(assignment, dtype=np.int64).ravel()


def group_scores(
    affinity: np.ndarray | Problem, assignment, groups: int | None = None
) -> np.ndarray:
    """Sum of affinities over the unordered pairs inside each group.

    Parameters
    ----------
    affinity : numpy.ndarray or Problem
        ``(n, n)`` symmetric matrix, or a problem (then the history penalty counts).
    assignment : sequence of int
        Group of each person, 0-based.
    groups : int, optional
        Number of groups (default: largest label + 1).

    Returns
    -------
    numpy.ndarray
        One float64 score per group.
    """
    problem = affinity if isinstance(affinity, Problem) else None
    matrix = problem.affinity if problem is not None else np.asarray(affinity)
    a = _as_assignment(assignment)
    m = int(a.max()) + 1 if groups is None else int(groups)
    scores = np.zeros(m, dtype=np.float64)
    order = np.argsort(a, kind="stable")
    starts = np.searchsorted(a[order], np.arange(m + 1))
    for g in range(m):
        idx = order[starts[g] : starts[g + 1]]
        if idx.size > 1:
            block = matrix[np.ix_(idx, idx)].astype(np.float64)
            scores[g] = (block.sum() - np.trace(block)) / 2.0
    if problem is not None and problem.history and problem.history_penalty:
        for i, j in problem.history:
            if a[i] == a[j]:
                scores[a[i]] -= problem.history_penalty
    return scores


def objective(affinity: np.ndarray | Problem, assignment) -> float:
    """Sum of affinities over all unordered pairs that share a group.

    Parameters
    ----------
    affinity : numpy.ndarray or Problem
        ``(n, n)`` symmetric matrix, or a problem (then each earlier meeting of
        a pair in ``problem.history`` costs ``problem.history_penalty``).
    assignment : sequence of int
        Group of each person, 0-based.

    Returns
    -------
    float
    """
    return float(group_scores(affinity, assignment).sum())


def violations(problem: Problem, assignment, group_bounds=None) -> list[str]:
    """Every hard constraint that ``assignment`` breaks, in plain words.

    Parameters
    ----------
    problem : Problem
    assignment : sequence of int
        Group of each person, 0-based.
    group_bounds : tuple of (int, int), optional
        Bounds of each group; default ``problem.group_bounds``. In
        ``group_size`` mode every non-empty group must hold min..max people.

    Returns
    -------
    list of str
        Empty when the assignment is feasible.
    """
    out: list[str] = []
    a = np.asarray(assignment)
    n = problem.n
    if a.shape != (n,):
        return [f"assignment has shape {a.shape}, expected ({n},)"]
    if not np.issubdtype(a.dtype, np.integer):
        return ["assignment is not integer"]
    if n and a.min() < 0:
        return ["negative group label"]
    bounds = group_bounds if group_bounds is not None else problem.group_bounds
    sizes = np.bincount(a, minlength=len(bounds) if bounds is not None else 0)
    if bounds is not None:
        if len(sizes) > len(bounds):
            out.append(f"group label {len(sizes) - 1} but only {len(bounds)} groups")
        for g, (lo, hi) in enumerate(bounds):
            if not lo <= sizes[g] <= hi:
                out.append(f"group {g} has {sizes[g]} people, bounds are {lo}..{hi}")
    if problem.group_size is not None:
        lo, hi = problem.group_size
        for g, s in enumerate(sizes):
            if s and not lo <= s <= hi:
                out.append(f"group {g} has {s} people, size must be {lo}..{hi}")
    for i, j in problem.cannot_link:
        if a[i] == a[j]:
            out.append(f"people {i} and {j} must not share a group but share group {a[i]}")
    for i, j in problem.must_link:
        if a[i] != a[j]:
            out.append(f"people {i} and {j} must share a group but are in {a[i]} and {a[j]}")
    if problem.segments is not None:
        seen: dict[int, object] = {}
        for person, g in enumerate(a.tolist()):
            label = problem.segments[person]
            if seen.setdefault(g, label) != label:
                out.append(f"group {g} mixes segments {seen[g]!r} and {label!r}")
                seen[g] = label
    return out


def is_valid(problem: Problem, assignment, group_bounds=None) -> bool:
    """True when ``assignment`` satisfies every hard constraint of ``problem``.

    See :func:`violations` for the parameters.
    """
    return not violations(problem, assignment, group_bounds)


def upper_bound(problem: Problem, block: int = 1024) -> float:
    """A cheap upper bound on the objective of any feasible grouping.

    Each person meets at most ``b_max - 1`` others, so the objective is at most
    half the sum, over people, of their ``b_max - 1`` largest positive
    affinities. Must-links and conflicts are ignored, so the bound is loose but
    sound. History penalties only lower the objective, so they are ignored too.

    Parameters
    ----------
    problem : Problem
    block : int
        Rows handled at once (bounds the memory used on large problems).

    Returns
    -------
    float
    """
    n = problem.n
    if problem.group_bounds is not None:
        b = max(hi for _, hi in problem.group_bounds)
    else:
        b = problem.group_size[1]
    k = min(b - 1, n - 1)
    if k <= 0:
        return 0.0
    total = 0.0
    for start in range(0, n, block):
        rows = np.array(problem.affinity[start : start + block], dtype=np.float64)
        rows[np.arange(rows.shape[0]), np.arange(start, start + rows.shape[0])] = -np.inf
        top = np.partition(rows, n - k, axis=1)[:, n - k :]
        total += float(np.clip(top, 0.0, None).sum())
    return total / 2.0
