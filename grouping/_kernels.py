"""Numba kernels of the solver: incremental move/swap evaluation, descent and tabu search.

State kept between calls (so the Python driver can stop on a time budget,
report progress and honour a cancel between chunks of iterations):

* ``M[u, g]``: sum of ``D[u, v]`` over the other members ``v`` of group ``g``,
  so moving ``u`` from ``g1`` to ``g2`` changes the objective by
  ``M[u, g2] - M[u, g1]`` and swapping ``u`` (in ``g1``) with ``v`` (in ``g2``)
  by ``M[u, g2] - M[u, g1] + M[v, g1] - M[v, g2] - 2 D[u, v]``
  (Lai and Hao, EJOR 254 (2016) 780-800, section 3.3).
* ``C[u, g]``: number of people in ``g`` that ``u`` must not be grouped with.
* ``size[g]``: weighted group size (a node stands for a must-link component).

All random numbers come from a xorshift generator whose state lives in a
one-element ``uint64`` array, so runs are reproducible for a seed.
"""

import numpy as np
from numba import njit

EPS = 1e-7


@njit(cache=True)
def rand_next(rng):
    x = rng[0]
    x ^= x << np.uint64(13)
    x ^= x >> np.uint64(7)
    x ^= x << np.uint64(17)
    rng[0] = x
    return x


@njit(cache=True)
def rand_below(rng, k):
    return np.int64(rand_next(rng) >> np.uint64(11)) % k


@njit(cache=True)
def is_conflict(u, v, ptr, idx):
    for t in range(ptr[u], ptr[u + 1]):  # noqa: SIM110 (numba has no generator any())
        if idx[t] == v:
            return True
    return False


@njit(cache=True)
def build_state(D, w, assign, m, ptr, idx):
    """Return ``(M, C, size, f)`` for ``assign`` computed from scratch."""
    n = D.shape[0]
    M = np.zeros((n, m), dtype=np.float64)
    for u in range(n):
        for v in range(n):
            M[u, assign[v]] += D[u, v]
        M[u, assign[u]] -= D[u, u]
    C = np.zeros((n, m), dtype=np.int32)
    for u in range(n):
        for t in range(ptr[u], ptr[u + 1]):
            C[u, assign[idx[t]]] += 1
    size = np.zeros(m, dtype=np.int64)
    f = 0.0
    for u in range(n):
        size[assign[u]] += w[u]
        f += M[u, assign[u]]
    return M, C, size, f / 2.0


@njit(cache=True)
def apply_move(u, g2, D, w, assign, M, C, size, ptr, idx):
    g1 = assign[u]
    n = D.shape[0]
    for v in range(n):
        d = D[u, v]
        M[v, g1] -= d
        M[v, g2] += d
    duu = D[u, u]
    M[u, g1] += duu
    M[u, g2] -= duu
    for t in range(ptr[u], ptr[u + 1]):
        x = idx[t]
        C[x, g1] -= 1
        C[x, g2] += 1
    size[g1] -= w[u]
    size[g2] += w[u]
    assign[u] = g2


@njit(cache=True)
def swap_ok(u, v, g1, g2, w, lo, hi, size, C, ptr, idx):
    """Whether swapping u (in g1) and v (in g2) keeps bounds and conflicts."""
    if w[u] != w[v]:
        s1 = size[g1] - w[u] + w[v]
        s2 = size[g2] - w[v] + w[u]
        if s1 < lo[g1] or s1 > hi[g1] or s2 < lo[g2] or s2 > hi[g2]:
            return False
    cu = C[u, g2]
    cv = C[v, g1]
    # u and v may leave a conflict behind each other's back: only then is one allowed
    return (cu == 0 and cv == 0) or (cu == 1 and cv == 1 and is_conflict(u, v, ptr, idx))


@njit(cache=True)
def move_ok(u, g1, g2, w, lo, hi, size, C):
    return size[g1] - w[u] >= lo[g1] and size[g2] + w[u] <= hi[g2] and C[u, g2] == 0


@njit(cache=True)
def descent(D, w, lo, hi, ptr, idx, assign, M, C, size, f, rng, max_sweeps=1 << 30):
    """First-improvement descent over one-moves and swaps.

    Each sweep visits every node once in random order and applies its best
    improving move, else its best improving swap. Stops at a local optimum
    or after ``max_sweeps`` sweeps; returns ``(f, at_local_optimum)``.
    """
    n = D.shape[0]
    m = M.shape[1]
    order = np.arange(n)
    improved = True
    sweeps = 0
    while improved and sweeps < max_sweeps:
        sweeps += 1
        improved = False
        for k in range(n - 1, 0, -1):
            r = rand_below(rng, k + 1)
            order[k], order[r] = order[r], order[k]
        for k in range(n):
            u = order[k]
            g1 = assign[u]
            best = EPS
            bg = -1
            if size[g1] - w[u] >= lo[g1]:
                for g in range(m):
                    if g != g1 and size[g] + w[u] <= hi[g] and C[u, g] == 0:
                        delta = M[u, g] - M[u, g1]
                        if delta > best:
                            best = delta
                            bg = g
            if bg >= 0:
                apply_move(u, bg, D, w, assign, M, C, size, ptr, idx)
                f += best
                improved = True
                continue
            bv = -1
            mu1 = M[u, g1]
            for v in range(n):
                g2 = assign[v]
                if g2 == g1:
                    continue
                delta = M[u, g2] - mu1 + M[v, g1] - M[v, g2] - 2.0 * D[u, v]
                if delta > best and swap_ok(u, v, g1, g2, w, lo, hi, size, C, ptr, idx):
                    best = delta
                    bv = v
            if bv >= 0:
                g2 = assign[bv]
                apply_move(u, g2, D, w, assign, M, C, size, ptr, idx)
                apply_move(bv, g1, D, w, assign, M, C, size, ptr, idx)
                f += best
                improved = True
    return f, not improved


@njit(cache=True)
def perturb(D, w, lo, hi, ptr, idx, assign, M, C, size, f, rng, strength):
    """Apply ``strength`` random feasible swaps or moves; returns the new objective."""
    n = D.shape[0]
    m = M.shape[1]
    for _ in range(strength):
        for _attempt in range(100):
            u = rand_below(rng, n)
            g1 = assign[u]
            if rand_below(rng, 2) == 0:
                g2 = rand_below(rng, m)
                if g2 != g1 and move_ok(u, g1, g2, w, lo, hi, size, C):
                    f += M[u, g2] - M[u, g1]
                    apply_move(u, g2, D, w, assign, M, C, size, ptr, idx)
                    break
            v = rand_below(rng, n)
            g2 = assign[v]
            if g2 != g1 and swap_ok(u, v, g1, g2, w, lo, hi, size, C, ptr, idx):
                f += M[u, g2] - M[u, g1] + M[v, g1] - M[v, g2] - 2.0 * D[u, v]
                apply_move(u, g2, D, w, assign, M, C, size, ptr, idx)
                apply_move(v, g1, D, w, assign, M, C, size, ptr, idx)
                break
    return f


@njit(cache=True)
def lowest_pair(D):
    """``2 min_v D[u, v]`` over v != u, for each u (for the swap bounds of tabu_search)."""
    n = D.shape[0]
    dmin = np.empty(n)
    for u in range(n):
        lowest = np.inf
        for v in range(n):
            if v != u and D[u, v] < lowest:
                lowest = D[u, v]
        dmin[u] = 2.0 * lowest if n > 1 else 0.0
    return dmin


@njit(cache=True)
def _members(assign, m, start, members, fill):
    """Fill ``members`` with the nodes of each group: group g holds ``members[start[g]:start[g + 1]]``."""
    start[:] = 0
    for v in range(assign.shape[0]):
        start[assign[v] + 1] += 1
    for g in range(m):
        start[g + 1] += start[g]
        fill[g] = start[g]
    for v in range(assign.shape[0]):
        members[fill[assign[v]]] = v
        fill[assign[v]] += 1


@njit(cache=True)
def _gain_all(M, assign, gain_to):
    """``gain_to[g, h]`` = max over members v of h of ``M[v, g] - M[v, h]``."""
    gain_to[:, :] = -np.inf
    m = M.shape[1]
    for v in range(assign.shape[0]):
        h = assign[v]
        mvh = M[v, h]
        for g in range(m):
            x = M[v, g] - mvh
            if x > gain_to[g, h]:
                gain_to[g, h] = x


@njit(cache=True)
def _gain_update(M, assign, gain_to, g1, g2):
    """Refresh ``gain_to`` after moves between groups g1 and g2: rows g1, g2 and columns g1, g2."""
    m = M.shape[1]
    for h in range(m):
        gain_to[g1, h] = -np.inf
        gain_to[g2, h] = -np.inf
    for g in range(m):
        gain_to[g, g1] = -np.inf
        gain_to[g, g2] = -np.inf
    for v in range(assign.shape[0]):
        h = assign[v]
        mvh = M[v, h]
        if h == g1 or h == g2:  # noqa: SIM109 (plain compares in numba)
            for g in range(m):
                x = M[v, g] - mvh
                if x > gain_to[g, h]:
                    gain_to[g, h] = x
        else:
            x = M[v, g1] - mvh
            if x > gain_to[g1, h]:
                gain_to[g1, h] = x
            x = M[v, g2] - mvh
            if x > gain_to[g2, h]:
                gain_to[g2, h] = x


@njit(cache=True)
def tabu_search(
    D,
    w,
    lo,
    hi,
    ptr,
    idx,
    assign,
    M,
    C,
    size,
    tabu,
    best_assign,
    fstate,
    istate,
    rng,
    dmin,
    iterations,
    tenure_min,
    tenure_span,
    stall_limit,
    strength,
    elite_per_mille,
):
    """Run ``iterations`` steps of iterated tabu search.

    Each step applies the best admissible one-move or swap (a move is tabu
    when it puts a person back into a group they left less than a tenure ago,
    unless it beats the best objective: aspiration). After ``stall_limit``
    steps without improving the walk's best, the search restarts from the
    current solution (or, with probability ``elite_per_mille / 1000``, from
    the best one found), perturbed by ``strength`` random swaps, and runs a
    descent. ``fstate = [f, best_f, walk_best]``,
    ``istate = [iteration, last_improvement]``.

    The scan goes group pair by group pair. ``gain_to[g, h]``, the most any
    member of h gains by leaving for g, is kept up to date after each move
    (two rows and two columns change), so that a pair of groups whose bound
    cannot reach the best delta so far is skipped in O(1): a step costs about
    O(m^2 + n) plus the candidates that survive the bounds, instead of O(n m).
    The result equals a full scan up to ties.
    """
    n = D.shape[0]
    m = M.shape[1]
    f = fstate[0]
    best_f = fstate[1]
    walk_best = fstate[2]
    it = istate[0]
    last = istate[1]
    # A swap of u (in g1) and v (in g2) gains at most
    # (M[u, g2] - M[u, g1]) + (M[v, g1] - M[v, g2]) - 2 D[u, v]
    #   <= gain_to[g2, g1] + gain_to[g1, g2] - dmin_all   (dmin: see lowest_pair)
    dmin_all = dmin.min()
    wmin = w.min()
    gain_to = np.empty((m, m))
    start = np.zeros(m + 1, dtype=np.int64)
    members = np.empty(n, dtype=np.int64)
    fill = np.empty(m, dtype=np.int64)
    _gain_all(M, assign, gain_to)
    for _ in range(iterations):
        it += 1
        bestd = -np.inf
        ties = 0
        bu = -1
        bv = -1
        bg = -1
        _members(assign, m, start, members, fill)
        # one-moves from g1 to g
        for g1 in range(m):
            if size[g1] - wmin < lo[g1]:
                continue
            for g in range(m):
                if g == g1 or size[g] + wmin > hi[g] or gain_to[g, g1] < bestd - EPS:
                    continue
                for t in range(start[g1], start[g1 + 1]):
                    u = members[t]
                    if size[g1] - w[u] < lo[g1] or size[g] + w[u] > hi[g] or C[u, g] > 0:
                        continue
                    delta = M[u, g] - M[u, g1]
                    if delta < bestd - EPS:
                        continue
                    if tabu[u, g] > it and f + delta <= best_f + EPS:
                        continue
                    if delta > bestd + EPS:
                        bestd = delta
                        ties = 1
                        bu = u
                        bv = -1
                        bg = g
                    else:
                        ties += 1
                        if rand_below(rng, ties) == 0:
                            bu = u
                            bv = -1
                            bg = g
        # swaps of u in g1 with v in g2 (g1 < g2)
        for g1 in range(m):
            for g2 in range(g1 + 1, m):
                if gain_to[g2, g1] + gain_to[g1, g2] - dmin_all < bestd - EPS:
                    continue
                back = gain_to[g1, g2]
                for t in range(start[g1], start[g1 + 1]):
                    u = members[t]
                    base = M[u, g2] - M[u, g1]
                    if base + back - dmin[u] < bestd - EPS:
                        continue
                    for r in range(start[g2], start[g2 + 1]):
                        v = members[r]
                        delta = base + M[v, g1] - M[v, g2] - 2.0 * D[u, v]
                        if delta < bestd - EPS:
                            continue
                        if not swap_ok(u, v, g1, g2, w, lo, hi, size, C, ptr, idx):
                            continue
                        if (tabu[u, g2] > it or tabu[v, g1] > it) and f + delta <= best_f + EPS:
                            continue
                        if delta > bestd + EPS:
                            bestd = delta
                            ties = 1
                            bu = u
                            bv = v
                            bg = g2
                        else:
                            ties += 1
                            if rand_below(rng, ties) == 0:
                                bu = u
                                bv = v
                                bg = g2
        if bu >= 0:
            g1 = assign[bu]
            apply_move(bu, bg, D, w, assign, M, C, size, ptr, idx)
            tabu[bu, g1] = it + tenure_min + rand_below(rng, tenure_span)
            if bv >= 0:
                apply_move(bv, g1, D, w, assign, M, C, size, ptr, idx)
                tabu[bv, bg] = it + tenure_min + rand_below(rng, tenure_span)
            _gain_update(M, assign, gain_to, g1, bg)
            f += bestd
            if f > best_f + EPS:
                best_f = f
                best_assign[:] = assign
            if f > walk_best + EPS:
                walk_best = f
                last = it
        if bu < 0 or it - last > stall_limit:
            # 1000 (the solver's setting): always restart from the best of this walk, without
            # spending a random number on it
            if elite_per_mille >= 1000 or rand_below(rng, 1000) < elite_per_mille:
                assign[:] = best_assign
                M2, C2, size2, f = build_state(D, w, assign, m, ptr, idx)
                M[:, :] = M2
                C[:, :] = C2
                size[:] = size2
            f = perturb(D, w, lo, hi, ptr, idx, assign, M, C, size, f, rng, strength)
            f, _ = descent(D, w, lo, hi, ptr, idx, assign, M, C, size, f, rng)
            if f > best_f + EPS:
                best_f = f
                best_assign[:] = assign
            walk_best = f
            last = it
            tabu[:, :] = 0
            _gain_all(M, assign, gain_to)
    fstate[0] = f
    fstate[1] = best_f
    fstate[2] = walk_best
    istate[0] = it
    istate[1] = last


def warm_up(dtypes):
    """Call every kernel once for each affinity dtype given, as the solver does
    (`solver.warm_up`, whose default names the types formation searches).

    Compiles them on a cold cache (``cache=True`` then stores the machine code
    on disk), else just loads them.
    """
    n, m = 8, 2
    ptr = np.array([0, 1, 2, 2, 2, 2, 2, 2, 2], dtype=np.int64)
    idx = np.array([1, 0], dtype=np.int64)
    w = np.ones(n, dtype=np.int64)
    lo = np.array([3, 3], dtype=np.int64)
    hi = np.array([5, 5], dtype=np.int64)
    for dtype in dtypes:
        D = (np.arange(n * n).reshape(n, n) % 7).astype(dtype)
        D = D + D.T
        assign = np.array([0, 1, 0, 1, 0, 1, 0, 1], dtype=np.int64)
        rng = np.array([12345], dtype=np.uint64)
        M, C, size, f = build_state(D, w, assign, m, ptr, idx)
        f, _ = descent(D, w, lo, hi, ptr, idx, assign, M, C, size, f, rng, 1)
        f, _ = descent(D, w, lo, hi, ptr, idx, assign, M, C, size, f, rng)
        f = perturb(D, w, lo, hi, ptr, idx, assign, M, C, size, f, rng, 2)
        tabu = np.zeros((n, m), dtype=np.int32)
        fstate = np.array([f, f, f])
        istate = np.zeros(2, dtype=np.int64)
        tabu_search(
            D, w, lo, hi, ptr, idx, assign, M, C, size, tabu, assign.copy(), fstate, istate, rng,
            lowest_pair(D), 5, 2, 2, 2, 2, 1000,
        )  # fmt: skip
