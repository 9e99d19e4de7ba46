"""Checks kept apart from the search: validity and objective, recomputed from scratch.

The tests and the benchmark re-score every result with these functions, so a
bug in the solver's incremental bookkeeping cannot hide.
"""

from __future__ import annotations

import time

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
    if problem is not None and problem.affinity_scale != 1.0:
        scores *= problem.affinity_scale  # an int16 affinity's steps, in real units
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
        rows *= problem.affinity_scale
        rows[np.arange(rows.shape[0]), np.arange(start, start + rows.shape[0])] = -np.inf
        top = np.partition(rows, n - k, axis=1)[:, n - k :]
        total += float(np.clip(top, 0.0, None).sum())
    return total / 2.0


# Above this many people the relaxation below takes more than a few seconds.
TIGHT_BOUND_MAX_N = 1000
PATIENCE = 10  # rounds without a better bound before the step halves


def _degree_and_pairs(problem: Problem, n: int) -> tuple[int, int, float]:
    """Fewest and most partners a person can have, and the most pairs any grouping has."""
    if problem.group_bounds is not None:
        lo = np.array([a for a, _ in problem.group_bounds])
        hi = np.array([b for _, b in problem.group_bounds])
        # a person's own group holds at least one (them), whatever its lower bound
        return int(np.maximum(lo, 1).min()) - 1, int(hi.max()) - 1, _most_pairs(n, lo, hi)
    smin, smax = problem.group_size
    smax -= problem.open_seats
    if problem.segments is None:
        counts = [n]
    else:
        counts = list(np.unique(np.asarray(problem.segments, dtype=object), return_counts=True)[1])
    pairs = 0.0
    for total in counts:
        best = -np.inf
        for m in range(max(1, -(-int(total) // smax)), int(total) // smin + 1):
            # equal bounds: the most pairs fill groups to the maximum one by one
            extra = int(total) - m * smin
            full, rest = divmod(extra, smax - smin) if smax > smin else (0, 0)
            sizes = [smax] * full + ([smin + rest] if full < m else []) + [smin] * (m - full - 1)
            best = max(best, sum(s * (s - 1) / 2 for s in sizes[:m]))
        pairs += best
    return smin - 1, smax - 1, pairs


def _most_pairs(total: int, lo: np.ndarray, hi: np.ndarray) -> float:
    """Most pairs sum s_g (s_g - 1) / 2 over sizes lo <= s <= hi adding up to total (DP)."""
    if total < lo.sum() or total > hi.sum():
        return -np.inf
    best = np.full(total + 1, -np.inf)
    best[0] = 0.0
    for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
        new = np.full(total + 1, -np.inf)
        for s in range(a, min(b, total) + 1):
            cand = np.full(total + 1, -np.inf)
            cand[s:] = best[: total + 1 - s] + s * (s - 1) / 2
            new = np.maximum(new, cand)
        best = new
    return float(best[total])


def tight_upper_bound(
    problem: Problem, lower: float | None = None, rounds: int = 300, seconds: float = 3.0
):
    """A Lagrangian upper bound on the objective of any feasible grouping, or None.

    Relaxation: each person picks their own partners (at least ``min - 1``, at
    most ``max - 1``, never a conflict, never across segments); the pairs picked
    may not exceed the most pairs a grouping can have. Two sets of multipliers
    tighten it: an antisymmetric ``lambda_ij`` makes "i picks j" cost what "j
    picks i" gains (the two must agree in a grouping), and ``mu`` prices the
    number of pairs. Minimised by subgradient steps (Polyak steps towards
    ``lower``, the best objective known). Every value it returns is a valid
    bound, whatever the number of rounds; it is the best after ``rounds``
    rounds or ``seconds`` CPU seconds, whichever comes first.

    Measured (the best objective found / the bound): 4.0 % on the program
    instance people_n300 (the star bound :func:`upper_bound`: 14.8 %), 5.2 %
    on people_n800 with conflicts (13.4 %), 7.3 % on a 60-person demo-like
    program (7.8 %); on uniform random MDGPLIB matrices it stays loose (29 %).
    So the gap it gives is a guarantee (no grouping is better than this), not
    the distance to the best grouping, which is usually much smaller.

    Returns None above :data:`TIGHT_BOUND_MAX_N` people (too slow to be worth
    it), or when no grouping can meet the sizes.
    """
    n = problem.n
    if n > TIGHT_BOUND_MAX_N or n < 2:
        return None if n > TIGHT_BOUND_MAX_N else 0.0
    a_deg, b_deg, most_pairs = _degree_and_pairs(problem, n)
    if not np.isfinite(most_pairs):
        return None
    b_deg = min(b_deg, n - 1)
    a_deg = min(a_deg, b_deg)
    if b_deg <= 0:
        return 0.0
    D = np.array(problem.affinity, dtype=np.float64) * problem.affinity_scale
    if problem.history and problem.history_penalty:
        for i, j in problem.history:
            D[i, j] -= problem.history_penalty
            D[j, i] -= problem.history_penalty
    allowed = ~np.eye(n, dtype=bool)
    for i, j in problem.cannot_link:
        allowed[i, j] = allowed[j, i] = False
    if problem.segments is not None:
        labels = np.unique(np.asarray(problem.segments, dtype=object), return_inverse=True)[1]
        allowed &= labels[:, None] == labels[None, :]
    BIG = 1e18
    rows = np.arange(n)[:, None]
    lam = np.zeros((n, n))
    mu = 0.0
    best = np.inf
    alpha = 1.0
    since = 0
    target = lower
    c0 = time.process_time()
    for _ in range(rounds):
        if time.process_time() - c0 > seconds:
            break
        W = np.where(allowed, D + lam - mu, -BIG)
        top = np.argpartition(-W, b_deg - 1, axis=1)[:, :b_deg]
        vals = W[rows, top]
        order = np.argsort(-vals, axis=1)
        top = np.take_along_axis(top, order, axis=1)
        vals = np.take_along_axis(vals, order, axis=1)
        take = vals > 0
        take[:, :a_deg] = True
        take &= vals > -BIG / 2
        value = 0.5 * float(vals[take].sum()) + mu * most_pairs
        if value < best - 1e-9 * max(1.0, abs(value)):
            best, since = value, 0
        else:
            since += 1
            if since >= PATIENCE:
                alpha, since = alpha / 2, 0
        Y = np.zeros((n, n))
        Y[np.broadcast_to(rows, top.shape)[take], top[take]] = 1.0
        G = 0.5 * (Y - Y.T)
        g_mu = most_pairs - 0.5 * float(take.sum())
        norm = 0.5 * float((G * G).sum()) + g_mu * g_mu
        if norm <= 1e-12:
            break  # the relaxation's choice is a consistent degree pattern: no better multipliers
        if target is None:
            target = 0.9 * value
        step = alpha * max(value - target, 0.01 * abs(value) * alpha) / norm
        lam -= step * G
        mu = max(0.0, mu - step * g_mu)
    return best
