"""The solver: feasible randomized construction, then a memetic search (numba kernels).

A population of groupings, each improved by iterated tabu search over
one-moves and swaps with the incremental evaluation of Lai and Hao (EJOR 254
(2016) 780-800) and a tabu walk between restarts as in Gallego et al. (JORS 64
(2013) 724-734); children come from a group-based crossover (after Yang et
al., EJOR 302 (2022) 925-953). Hard constraints never enter the objective:
moves that would break them are not considered."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from grouping import _kernels as K
from grouping import checks
from grouping.exceptions import Infeasible, InputError
from grouping.problem import Problem, Solution

ProgressCallback = Callable[[float, float], bool | None]

_WARM: set[str] = set()


# The affinity types formation searches (float64 below 2,000 people, int16 from there);
# a float32 matrix is loaded by `solve` on its first use, outside its budget too.
WARM_DTYPES = ("float64", "int16")


def warm_up(dtypes=WARM_DTYPES) -> float:
    """Load the numba kernels (compiling them on a cold cache); returns the CPU seconds used.

    ``solve`` calls it (for the dtype of its affinity) before its clock starts,
    so compiling never eats a budget; a long-lived process (the task worker)
    calls it at start so that its first run does not make a person wait either,
    and ``make install`` runs ``python -m grouping.warmup`` to fill the on-disk
    cache. Cheap after the first call.
    """
    todo = [np.dtype(d) for d in dtypes if np.dtype(d).name not in _WARM]
    if not todo:
        return 0.0
    c0 = time.process_time()
    K.warm_up(tuple(d.type for d in todo))
    _WARM.update(d.name for d in todo)
    return time.process_time() - c0


CONSTRUCTION_ATTEMPTS = 30
GROUP_COUNTS_TRIED = 8


@dataclass
class _Budget:
    wall_deadline: float | None
    cpu_deadline: float | None
    wall_start: float
    cpu_start: float
    wall_total: float | None
    cpu_total: float | None

    @classmethod
    def start(cls, seconds, cpu_seconds, cpu_start=None):
        w0 = time.perf_counter()
        c0 = time.process_time() if cpu_start is None else cpu_start
        return cls(
            None if seconds is None else w0 + seconds,
            None if cpu_seconds is None else c0 + cpu_seconds,
            w0,
            c0,
            seconds,
            cpu_seconds,
        )

    def expired(self) -> bool:
        if self.wall_deadline is not None and time.perf_counter() >= self.wall_deadline:
            return True
        return self.cpu_deadline is not None and time.process_time() >= self.cpu_deadline

    def fraction(self) -> float:
        parts = [0.0]
        if self.wall_total:
            parts.append((time.perf_counter() - self.wall_start) / self.wall_total)
        if self.cpu_total:
            parts.append((time.process_time() - self.cpu_start) / self.cpu_total)
        return min(1.0, max(parts))


def _splitmix64(seed: int) -> int:
    z = (seed + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return (z ^ (z >> 31)) or 1


@dataclass
class _Part:
    """One independent subproblem: a segment, with must-link components contracted."""

    label: object
    people: np.ndarray  # original indices, grouped by component
    comp_start: np.ndarray  # component c holds people[comp_start[c]:comp_start[c + 1]]
    D: np.ndarray  # contracted affinity (diagonal = twice the inside sum; ignored)
    w: np.ndarray  # component sizes
    ptr: np.ndarray  # conflict graph between components (CSR)
    idx: np.ndarray
    neighbours: list[set[int]]
    dmin: np.ndarray | None = None  # twice each node's lowest affinity (swap bounds)


def effective_affinity(problem: Problem) -> np.ndarray:
    """The affinity with the pair-history penalty folded in (no copy when there is none)."""
    if not problem.history or not problem.history_penalty:
        return problem.affinity
    D = problem.affinity.copy()
    _fold_history(D, problem, *_history_cells(problem))
    return D


def _history_cells(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Both cells of each pair that met, once per meeting."""
    rows, cols = np.array(problem.history, dtype=np.int64).reshape(-1, 2).T
    return np.r_[rows, cols], np.r_[cols, rows]


def _fold_history(A: np.ndarray, problem: Problem, rows, cols) -> None:
    """Subtract the history penalty from ``A`` in place, once per meeting, in A's units.

    An int16 affinity takes the penalty in whole steps, and a pair that met so often
    that it would pass the type's lowest value stays at that value (still the least
    wanted pair there is)."""
    penalty = problem.history_penalty / problem.affinity_scale
    if A.dtype.kind != "i":
        np.subtract.at(A, (rows, cols), penalty)
        return
    cells, times = np.unique(np.stack([rows, cols]), axis=1, return_counts=True)
    r, c = cells
    low, high = np.iinfo(A.dtype).min, np.iinfo(A.dtype).max
    A[r, c] = np.clip(A[r, c] - np.rint(times * penalty), low, high)


def _components(n: int, pairs) -> np.ndarray:
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in pairs:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    return np.array([find(x) for x in range(n)], dtype=np.int64)


def _make_parts(problem: Problem, D: np.ndarray) -> list[_Part]:
    n = problem.n
    root = _components(n, problem.must_link)
    if problem.segments is not None:
        labels = problem.segments
        for i, j in problem.must_link:
            if labels[i] != labels[j]:
                raise Infeasible(
                    f"people {i} and {j} must share a group but are in segments "
                    f"{labels[i]!r} and {labels[j]!r}"
                )
        segment_of: dict[object, list[int]] = {}
        for person, label in enumerate(labels):
            segment_of.setdefault(label, []).append(person)
        groups = list(segment_of.items())
    else:
        groups = [(None, list(range(n)))]
    person_part = np.empty(n, dtype=np.int64)
    for p, (_, people) in enumerate(groups):
        person_part[people] = p
    conflicts_of: list[list[tuple[int, int]]] = [[] for _ in groups]
    for i, j in problem.cannot_link:
        if root[i] == root[j]:
            raise Infeasible(
                f"people {i} and {j} must not share a group, but must-links put them together"
            )
        if person_part[i] == person_part[j]:
            conflicts_of[person_part[i]].append((i, j))
    parts = []
    for p, (label, people) in enumerate(groups):
        people = np.asarray(people, dtype=np.int64)
        roots = root[people]
        order = np.argsort(roots, kind="stable")
        people = people[order]
        roots = roots[order]
        comp_start = np.flatnonzero(np.r_[True, roots[1:] != roots[:-1], True])
        k = len(comp_start) - 1
        w = np.diff(comp_start).astype(np.int64)
        if k == n:
            Dp = D
        elif k == len(people):
            Dp = np.ascontiguousarray(D[np.ix_(people, people)])
        else:
            sub = D[np.ix_(people, people)].astype(np.float64)
            sub = np.add.reduceat(sub, comp_start[:-1], axis=0)
            Dp = np.ascontiguousarray(np.add.reduceat(sub, comp_start[:-1], axis=1))
        comp_of = np.empty(n, dtype=np.int64)
        for c in range(k):
            comp_of[people[comp_start[c] : comp_start[c + 1]]] = c
        neighbours: list[set[int]] = [set() for _ in range(k)]
        for i, j in conflicts_of[p]:
            a, b = int(comp_of[i]), int(comp_of[j])
            neighbours[a].add(b)
            neighbours[b].add(a)
        ptr = np.zeros(k + 1, dtype=np.int64)
        ptr[1:] = np.cumsum([len(s) for s in neighbours])
        idx = np.array([x for s in neighbours for x in sorted(s)], dtype=np.int64)
        parts.append(_Part(label, people, comp_start, Dp, w, ptr, idx, neighbours))
    return parts


def _greedy_clique(neighbours: list[set[int]], tries: int = 200) -> int:
    """Size of a conflict clique found greedily (a lower bound on the groups needed)."""
    k = len(neighbours)
    if k == 0:
        return 0
    by_degree = sorted(range(k), key=lambda x: -len(neighbours[x]))
    best = 1
    for u in by_degree[:tries]:
        if len(neighbours[u]) + 1 <= best:
            break
        clique = [u]
        for v in sorted(neighbours[u], key=lambda x: -len(neighbours[x])):
            if all(v in neighbours[c] for c in clique):
                clique.append(v)
        best = max(best, len(clique))
    return best


def _where(part: _Part) -> str:
    return "" if part.label is None else f"segment {part.label!r}: "


def _check_necessary(part: _Part, lo: np.ndarray, hi: np.ndarray) -> None:
    total = int(part.w.sum())
    where = _where(part)
    if total < lo.sum() or total > hi.sum():
        raise Infeasible(
            f"{where}{total} people cannot fill {len(lo)} groups holding "
            f"{int(lo.sum())} to {int(hi.sum())} people in all"
        )
    if len(part.w) and part.w.max() > hi.max():
        c = int(part.w.argmax())
        members = part.people[part.comp_start[c] : part.comp_start[c + 1]]
        raise Infeasible(
            f"{where}must-links join {int(part.w.max())} people (e.g. {members[:5].tolist()}), "
            f"more than the largest group ({int(hi.max())})"
        )
    clique = _greedy_clique(part.neighbours)
    if clique > len(lo):
        raise Infeasible(
            f"{where}{clique} people (or must-link groups) are pairwise in conflict, "
            f"more than the {len(lo)} groups"
        )


def _target_sizes(
    total: int, lo: np.ndarray, hi: np.ndarray, noise: np.ndarray | None = None
) -> np.ndarray | None:
    """Group sizes within the bounds with the most pairs in all (sum of s(s-1)/2).

    With affinities of about the same size everywhere, more pairs mean a
    higher objective, so the best groupings of ``ds`` instances keep most
    groups at a bound; starting from this profile saves the search from
    discovering it one move at a time. Dynamic programming over the total;
    ``noise[g, s]``, when given, is added to the value of giving group g s
    people (to sample profiles near the best).
    """
    if total < lo.sum() or total > hi.sum():
        return None
    best = np.full(total + 1, -np.inf)
    best[0] = 0.0
    choice = np.zeros((len(lo), total + 1), dtype=np.int64)
    for g in range(len(lo)):
        new = np.full(total + 1, -np.inf)
        for s in range(int(lo[g]), int(min(hi[g], total)) + 1):
            cand = np.full(total + 1, -np.inf)
            cand[s:] = best[: total + 1 - s] + s * (s - 1) / 2
            if noise is not None:
                cand[s:] += noise[g, s]
            better = cand > new
            new[better] = cand[better]
            choice[g][better] = s
        best = new
    sizes = np.zeros(len(lo), dtype=np.int64)
    t = total
    for g in range(len(lo) - 1, -1, -1):
        sizes[g] = choice[g][t]
        t -= sizes[g]
    return sizes


def _near_profiles(
    total: int,
    lo: np.ndarray,
    hi: np.ndarray,
    best: np.ndarray,
    gen: np.random.Generator,
    slack: float,
    tries: int = 60,
) -> list[np.ndarray]:
    """Size profiles within ``slack`` pairs of the most pairs, ``best`` first.

    The best groupings of ``ds`` instances keep nearly every group at a bound,
    but not always in the profile with the very most pairs: a profile a pair or
    two short may hold better groups (the best-known RanReal_n240_ds_01 has 2
    pairs fewer than the most). Sampled by the same dynamic programme with a
    random bonus of up to ``slack`` pairs on each (group, size) choice, keeping
    the profiles within ``slack`` of the most; duplicates are dropped.
    """
    pairs = lambda s: int((s * (s - 1) // 2).sum())  # noqa: E731
    floor = pairs(best) - slack
    found = {tuple(best.tolist()): best}
    width = int(hi.max()) + 1
    for _ in range(tries):
        sizes = _target_sizes(total, lo, hi, slack * gen.random((len(lo), width)))
        if sizes is not None and pairs(sizes) >= floor:
            found.setdefault(tuple(sizes.tolist()), sizes)
    rest = list(found.values())[1:]
    order = gen.permutation(len(rest)).tolist()
    return [best] + [rest[i] for i in order]


def _construct(part: _Part, lo: np.ndarray, hi: np.ndarray, rng: np.random.Generator):
    """Randomized greedy with conflict and capacity checks; None after all attempts fail.

    Nodes are placed most constrained first (degree, then weight), each into
    the least filled group that has room and no conflict, groups short of
    their minimum first. A node that cannot be placed moves to the front of
    the order for the next attempt (squeaky wheel).
    """
    k = len(part.w)
    m = len(lo)
    w = part.w
    degree = np.diff(part.ptr)
    priority = degree.astype(np.float64) + w
    bumped: list[int] = []
    for _attempt in range(CONSTRUCTION_ATTEMPTS):
        noise = rng.random(k)
        order = np.lexsort((noise, -priority))
        if bumped:
            seen = set()
            front = [x for x in reversed(bumped) if not (x in seen or seen.add(x))]
            order = np.r_[front, [x for x in order.tolist() if x not in seen]].astype(np.int64)
        assign = np.full(k, -1, dtype=np.int64)
        size = np.zeros(m, dtype=np.int64)
        blocked = np.zeros((k, m), dtype=np.int32) if len(part.idx) else None
        failed = None
        for u in order.tolist():
            ok = size + w[u] <= hi
            if blocked is not None:
                ok &= blocked[u] == 0
            if not ok.any():
                failed = u
                break
            short = ok & (size < lo)
            cand = short if short.any() else ok
            fill = np.where(cand, size / np.maximum(hi, 1) + 1e-6 * rng.random(m), np.inf)
            g = int(fill.argmin())
            assign[u] = g
            size[g] += w[u]
            if blocked is not None:
                for x in part.neighbours[u]:
                    blocked[x, g] += 1
        if failed is not None:
            bumped.append(failed)
            continue
        if _repair_minimums(part, assign, size, lo, hi, blocked):
            return assign
        bumped.extend(int(x) for x in rng.permutation(k)[:1])
    return None


def _repair_minimums(part, assign, size, lo, hi, blocked) -> bool:
    w = part.w
    for _ in range(4 * len(w)):
        short = np.flatnonzero(size < lo)
        if not len(short):
            return True
        g = int(short[0])
        movable = (size[assign] - w >= lo[assign]) & (size[g] + w <= hi[g]) & (assign != g)
        if blocked is not None:
            movable &= blocked[:, g] == 0
        cand = np.flatnonzero(movable)
        if not len(cand):
            return False
        u = int(cand[0])
        h = int(assign[u])
        assign[u] = g
        size[h] -= w[u]
        size[g] += w[u]
        if blocked is not None:
            for x in part.neighbours[u]:
                blocked[x, h] -= 1
                blocked[x, g] += 1
    return bool((size >= lo).all())


def _bound_options(problem: Problem, part: _Part):
    if problem.group_bounds is not None:
        lo = np.array([a for a, _ in problem.group_bounds], dtype=np.int64)
        hi = np.array([b for _, b in problem.group_bounds], dtype=np.int64)
        return [(lo, hi)]
    smin, smax = problem.group_size
    smax -= problem.open_seats
    total = int(part.w.sum())
    m_min = max(1, math.ceil(total / smax))
    m_max = total // smin
    if m_min > m_max:
        seats = f" ({problem.open_seats} seats left open)" if problem.open_seats else ""
        raise Infeasible(
            f"{_where(part)}{total} people cannot be split into groups of {smin} to {smax}{seats}"
        )
    counts = list(range(m_min, m_max + 1))
    if problem.target_size is not None:
        # the group count nearest the target size first, then its neighbours
        m0 = min(max(round(total / problem.target_size), m_min), m_max)
        counts.sort(key=lambda m: (abs(m - m0), m))
    # Summing pairs favours uneven groups (one of 10 beats two of 5); people expect
    # groups of about the same size, so try balanced sizes first, then the full range.
    options = []
    for m in counts[:GROUP_COUNTS_TRIED]:
        even_lo, even_hi = max(smin, total // m), min(smax, -(-total // m))
        options.append((np.full(m, even_lo, dtype=np.int64), np.full(m, even_hi, dtype=np.int64)))
        if (even_lo, even_hi) != (smin, smax):
            options.append((np.full(m, smin, dtype=np.int64), np.full(m, smax, dtype=np.int64)))
    return options


def _tuning(k: int, m: int) -> dict:
    return {
        "tenure_min": max(2, k // 40),
        "tenure_span": max(2, k // 40),
        "stall_limit": max(50, 2 * k),
        # A restart perturbs about one group's worth of people (Yang et al. scale their
        # undirected perturbation with n / m too): with many small groups, k // 10
        # random swaps scatter good groups faster than the search can rebuild them.
        "strength": max(3, min(k // 10, round(1.2 * k / m))),
        # Restarts always continue from the best grouping of the current walk (an
        # iterated local search with "better" acceptance); the population and the
        # crossover supply the diversity. (Not re-tuned for the program instances.)
        "elite_per_mille": 1000,
        "child_iterations": max(500, 20 * k),
        "init_iterations": max(100, 5 * k),
        "population": 8,
    }


# Only groups this large (on average) are searched within the size profile with the
# most pairs. With swaps alone, small groups (7-9) leave the search too little room:
# on program-shaped instances free sizes did about 1.5 % better after the same steps,
# while MDGPLIB `ds` (groups of about 20) gains from the profile.
TARGET_MIN_GROUP_SIZE = 12

# Size profiles tried beside the one with the most pairs: those within this fraction
# of its pairs; PROFILE_BEST_SHARE of the population starts on the most-pairs profile.
# A population whose best has not improved for this many children per member is
# rebuilt around its best (see _search).
RESTART_AFTER = 10
PROFILE_SLACK = 0.001
PROFILE_BEST_SHARE = 0.5

# Above this many nodes one tabu step costs too much for a population: a single
# trajectory (descent, then iterated tabu search) uses the time better.
MEMETIC_MAX_NODES = 1500


class _Run:
    """Shared stopping rule and progress reporting of one part's search.

    Work is counted in iterations (tabu steps and descent sweeps), and the
    run only ever stops right after counting some: when the count reaches
    ``max_iterations``, the time budget has run out or ``progress`` cancels.
    A timed run that stopped after N iterations therefore did exactly what a
    run limited to N iterations does, which makes every result reproducible
    from (problem, seed, iterations).
    """

    def __init__(self, budget, max_iterations, report):
        self.budget = budget
        self.limit = max_iterations
        self.report = report
        self.done = 0
        self.chunk = 16
        self.best = -np.inf
        self.stopped = (max_iterations is not None and max_iterations <= 0) or budget.expired()

    def remaining(self) -> int | None:
        return None if self.limit is None else self.limit - self.done

    def pace(self, steps: int, seconds: float) -> None:
        """Size the next chunk of tabu steps to about 20 ms between checks (chunks
        only decide where the clock is read: the steps themselves are the same)."""
        if steps == self.chunk and seconds < 0.01:
            self.chunk = min(2 * self.chunk, 1 << 20)
        elif seconds > 0.04 and self.chunk > 1:
            self.chunk //= 2

    def should_stop(self) -> bool:
        return self.stopped

    def count(self, iterations: int) -> None:
        self.done += iterations
        if (self.limit is not None and self.done >= self.limit) or self.budget.expired():
            self.stopped = True

    def progress(self, best: float) -> None:
        self.best = max(self.best, best)
        if self.report(self.best) is False:
            self.stopped = True


TABU_REBASE_AT = 1 << 30  # steps; a chunk is at most 2**20 of them


def _tabu_rebase(tabu: np.ndarray, istate: np.ndarray) -> None:
    """Count the tabu search's steps from its current step again: the same search,
    with step numbers that stay far inside int32 however long it runs."""
    base = int(istate[0])
    np.maximum(tabu, base, out=tabu)
    tabu -= base
    istate -= base


def _improve(part, lo, hi, assign, iterations, run, kseed, t, shake=False):
    """Descent, then up to ``iterations`` tabu steps (None: until the run stops).

    Returns the best assignment met and its objective.
    """
    k, m = len(part.w), len(lo)
    rng = np.array([_splitmix64(kseed)], dtype=np.uint64)
    D, w, ptr, idx = part.D, part.w, part.ptr, part.idx
    assign = assign.copy()
    M, C, size, f = K.build_state(D, w, assign, m, ptr, idx)
    if shake:
        f = K.perturb(D, w, lo, hi, ptr, idx, assign, M, C, size, f, rng, t["strength"])
    # Sweep by sweep (each one counted), so that a large part (one sweep is O(k^2))
    # keeps to the budget.
    local_optimum = False
    while not local_optimum and not run.should_stop():
        f, local_optimum = K.descent(D, w, lo, hi, ptr, idx, assign, M, C, size, f, rng, 1)
        run.count(1)
    best_assign = assign.copy()
    # Tabu until which step: int32 (half the memory: 32 MB at 9,000 people in 900 groups),
    # counted from a base moved forward long before the count could overflow.
    tabu = np.zeros((k, m), dtype=np.int32)
    fstate = np.array([f, f, f])
    istate = np.zeros(2, dtype=np.int64)
    if part.dmin is None:
        part.dmin = K.lowest_pair(D)
    done = 0
    run.progress(f)
    while not run.should_stop() and (iterations is None or done < iterations):
        step = run.chunk
        if iterations is not None:
            step = min(step, iterations - done)
        if run.remaining() is not None:
            step = min(step, run.remaining())
        if istate[0] >= TABU_REBASE_AT:
            _tabu_rebase(tabu, istate)
        w0 = time.perf_counter()
        K.tabu_search(
            D, w, lo, hi, ptr, idx, assign, M, C, size, tabu, best_assign, fstate, istate, rng,
            part.dmin, step, t["tenure_min"], t["tenure_span"], t["stall_limit"], t["strength"],
            t["elite_per_mille"],
        )  # fmt: skip
        run.pace(step, time.perf_counter() - w0)
        done += step
        run.count(step)
        run.progress(fstate[1])
    return best_assign, float(fstate[1])


def _crossover(part, lo, hi, parent_a, parent_b, gen):
    """Group-based crossover: children inherit whole groups, alternately from each parent.

    At each step the parent whose turn it is hands over the not yet used group
    with the largest affinity per member (counting only people still free);
    the people left over go greedily to the group where they add most, groups
    short of their minimum first. Returns None when that cannot be completed
    feasibly. (After the crossover of Lai and Hao's memetic search and of
    Yang et al., EJOR 302 (2022) 925-953.)
    """
    D, w = part.D, part.w
    k, m = len(w), len(lo)
    child = np.full(k, -1, dtype=np.int64)
    size = np.zeros(m, dtype=np.int64)
    used = np.zeros(m, dtype=bool)
    parents = (parent_a, parent_b) if gen.random() < 0.5 else (parent_b, parent_a)
    for step in range(m):
        parent = parents[step % 2]
        best_g, best_score, best_members = -1, -np.inf, None
        for g in np.flatnonzero(~used).tolist():
            members = np.flatnonzero((parent == g) & (child < 0))
            if len(members) == 0:
                score = 0.0
            else:
                score = float(D[np.ix_(members, members)].sum()) / float(w[members].sum())
            if score > best_score:
                best_g, best_score, best_members = g, score, members
        used[best_g] = True
        if best_members is not None and int(w[best_members].sum()) > hi[best_g]:
            # the parent's group is larger than this child's profile allows: keep the
            # members most tied to the others
            inner = D[np.ix_(best_members, best_members)].sum(axis=1) / w[best_members]
            best_members = best_members[np.argsort(-inner, kind="stable")]
            best_members = best_members[np.cumsum(w[best_members]) <= hi[best_g]]
        child[best_members] = best_g
        size[best_g] = int(w[best_members].sum())
    blocked = np.zeros((k, m), dtype=np.int32) if len(part.idx) else None
    gain = np.zeros((k, m))
    for g in range(m):
        members = np.flatnonzero(child == g)
        if len(members):
            gain[:, g] = D[:, members].sum(axis=1)
            if blocked is not None:
                for u in members.tolist():
                    for x in part.neighbours[u]:
                        blocked[x, g] += 1
    rest = np.flatnonzero(child < 0)
    rest = rest[gen.permutation(len(rest))]
    left = int(w[rest].sum())
    for u in rest.tolist():
        ok = size + w[u] <= hi
        if blocked is not None:
            ok &= blocked[u] == 0
        if not ok.any():
            return None
        deficit = np.maximum(lo - size, 0)
        short = ok & (deficit > 0)
        if short.any() and left - w[u] < deficit.sum():
            ok = short
        g = int(np.where(ok, gain[u], -np.inf).argmax())
        child[u] = g
        size[g] += w[u]
        left -= w[u]
        gain[:, g] += D[:, u]
        if blocked is not None:
            for x in part.neighbours[u]:
                blocked[x, g] += 1
    if (size < lo).any() and not _repair_minimums(part, child, size, lo, hi, blocked):
        return None
    return child


def _search(part, lo, hi, assign, seed, budget, max_iterations, report):
    """Improve ``assign`` in place; returns the number of tabu iterations done.

    A small memetic search: a population of locally optimised groupings,
    crossover of two random parents, tabu search on the child, the child
    replacing the worst member when it is better and not a duplicate.
    """
    k, m = len(part.w), len(lo)
    run = _Run(budget, max_iterations, report)
    if m <= 1 or k <= 1 or run.should_stop():
        return 0
    gen = np.random.default_rng(seed)
    t = _tuning(k, m)

    def next_seed():
        return int(gen.integers(2**62))

    if k > MEMETIC_MAX_NODES:
        best, _ = _improve(part, lo, hi, assign, None, run, next_seed(), t)
        assign[:] = best
        return run.done
    population: list[tuple[np.ndarray, float, np.ndarray]] = []
    target = None
    free_lo, free_hi = lo, hi
    profiles = [lo]
    if (
        (hi - lo).max() > 1
        and k >= TARGET_MIN_GROUP_SIZE * m
        and len(lo) * int(part.w.sum()) * int((hi - lo).max()) <= 5e6
    ):
        target = _target_sizes(int(part.w.sum()), lo, hi)
        # With non-negative affinities, search within size profiles with (nearly) the
        # most pairs (measured at n=240 ds: 0.20% mean gap vs 0.27% with free sizes);
        # each member of the population keeps one profile, children take a parent's,
        # and a final descent with the real bounds may still adjust sizes.
        if (
            target is not None
            and float(part.D.min()) >= 0
            and _construct(part, target, target, np.random.default_rng(seed)) is not None
        ):
            lo = hi = target
            total = int(part.w.sum())
            slack = PROFILE_SLACK * float((target * (target - 1) // 2).sum())
            profiles = _near_profiles(total, free_lo, free_hi, target, gen, slack)

    profiled = lo is not free_lo

    def member(i):
        plo, phi = lo, hi
        if len(profiles) > 1 and i >= PROFILE_BEST_SHARE * t["population"]:
            plo = phi = profiles[int(gen.integers(len(profiles)))]
        start = None
        if profiled:
            start = _construct(part, plo, phi, gen)
            if start is None:  # a sampled profile that the conflicts cannot fill
                plo = phi = target
                start = _construct(part, plo, phi, gen)
        elif target is not None:
            start = _construct(part, target, target, gen)
        if start is None:
            start = assign if i == 0 else _construct(part, lo, hi, gen)
        shake = start is None
        start = assign if start is None else start
        found = _improve(part, plo, phi, start, t["init_iterations"], run, next_seed(), t, shake)
        return (*found, plo)

    for i in range(t["population"]):
        population.append(member(i))
        if run.should_stop():
            break
    best_f = max(f for _, f, _ in population)
    stale = 0
    # Large groups (MDGPLIB-shaped): a population that has stopped improving is
    # rebuilt around its best. (Program-shaped instances keep the plain search.)
    restarts = RESTART_AFTER > 0 and k >= TARGET_MIN_GROUP_SIZE * m
    while not run.should_stop() and len(population) > 1:
        i, j = gen.choice(len(population), 2, replace=False)
        plo = population[i][2]
        phi = plo if profiled else hi
        child = _crossover(part, plo, phi, population[i][0], population[j][0], gen)
        shake = child is None
        child = population[i][0] if child is None else child
        new = (
            *_improve(part, plo, phi, child, t["child_iterations"], run, next_seed(), t, shake),
            plo,
        )
        worst = min(range(len(population)), key=lambda x: population[x][1])
        duplicate = any(abs(new[1] - f) <= 1e-6 for _, f, _ in population)
        if new[1] > population[worst][1] and not duplicate:
            population[worst] = new
        stale += 1
        if new[1] > best_f + 1e-6:
            best_f, stale = new[1], 0
        elif restarts and stale >= RESTART_AFTER * t["population"]:
            # The population has converged: keep its best, build the others anew.
            population = [max(population, key=lambda x: x[1])]
            for i in range(1, t["population"]):
                if run.should_stop():
                    break
                population.append(member(i))
            stale = 0
    best = max(population, key=lambda x: x[1])[0].copy()
    if lo is not free_lo:
        rng = np.array([_splitmix64(next_seed())], dtype=np.uint64)
        M, C, size, f = K.build_state(part.D, part.w, best, len(lo), part.ptr, part.idx)
        K.descent(part.D, part.w, free_lo, free_hi, part.ptr, part.idx, best, M, C, size, f, rng)
    assign[:] = best
    return run.done


def solve(
    problem: Problem,
    *,
    seconds: float | None = None,
    cpu_seconds: float | None = None,
    max_iterations: int | Sequence[int] | None = None,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    cpu_start: float | None = None,
    bound: bool = True,
    in_place: bool = False,
) -> Solution:
    """Group people to maximise the affinity inside groups, respecting every hard constraint.

    Parameters
    ----------
    problem : Problem
    seconds : float, optional
        Wall-clock budget for the whole call.
    cpu_seconds : float, optional
        Budget of process CPU seconds (``time.process_time``), as in the papers.
    max_iterations : int or sequence of int, optional
        Iterations (tabu steps and descent sweeps) per segment, or one count
        per segment in order. With no time budget the result depends only on
        ``problem``, ``seed`` and ``max_iterations``; a timed run is replayed
        exactly by ``solve(problem, max_iterations=solution.part_iterations,
        seed=solution.seed)`` (with a single segment ``solution.iterations``
        does the same).
    seed : int
        Seed of every random choice.
    progress : callable, optional
        Called as ``progress(best_objective, fraction_of_budget_used)`` between
        chunks of iterations; returning ``False`` stops the search early (the
        best solution so far is returned).
    cpu_start : float, optional
        ``time.process_time()`` value the CPU budget counts from (default:
        now); the CLI passes 0 to count the whole process.
    bound : bool
        Compute ``solution.upper_bound`` (:func:`grouping.checks.tight_upper_bound`,
        up to 3 CPU seconds after the search, None above 1,000 people).
    in_place : bool
        Fold the history penalty into ``problem.affinity`` itself while searching
        instead of into a copy (at 10,000 people a float32 copy is 400 MB); the
        entries changed are put back, bit for bit, before this returns. The matrix
        must not be read elsewhere meanwhile.

    Returns
    -------
    Solution
        Always feasible; re-scored by :mod:`grouping.checks`.

    Raises
    ------
    Infeasible
        When a necessary condition fails (the message says which) or no
        feasible grouping was constructed after the stated effort.

    Notes
    -----
    When neither a time budget nor ``max_iterations`` is given, the search
    runs for 5 wall-clock seconds. Loading (or, on a cold cache, compiling)
    the kernels happens before the clock starts and never counts against a
    budget; see :func:`grouping.warm_up`.
    """
    if seconds is None and cpu_seconds is None and max_iterations is None:
        seconds = 5.0
    spent = warm_up((problem.affinity.dtype,))
    if cpu_start is not None:
        # The caller counts from an earlier point (the CLI: process start); loading
        # the kernels just now is not search time.
        cpu_start += spent
    if in_place and problem.history and problem.history_penalty:
        A = problem.affinity
        rows, cols = _history_cells(problem)
        kept = A[rows, cols].copy()
        try:
            # One pair can repeat (met twice): subtract per occurrence, as the copy does.
            _fold_history(A, problem, rows, cols)
            found = _solve(problem, A, seconds, cpu_seconds, max_iterations, seed, progress,
                           cpu_start)  # fmt: skip
        finally:
            A[rows, cols] = kept
    else:
        found = _solve(
            problem, effective_affinity(problem), seconds, cpu_seconds, max_iterations, seed,
            progress, cpu_start,
        )  # fmt: skip
    return _assemble(problem, *found, bound)  # scored on the matrix as given


def _solve(problem, D, seconds, cpu_seconds, max_iterations, seed, progress, cpu_start):
    budget = _Budget.start(seconds, cpu_seconds, cpu_start)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    parts = _make_parts(problem, D)
    rng = np.random.default_rng(seed)
    plans = []
    for part in parts:
        options = _bound_options(problem, part)
        last_reason = None
        for lo, hi in options:
            try:
                _check_necessary(part, lo, hi)
            except Infeasible as exc:
                last_reason = exc
                if problem.group_bounds is not None:
                    raise
                continue
            assign = _construct(part, lo, hi, rng)
            if assign is not None:
                plans.append((part, lo, hi, assign))
                break
            last_reason = Infeasible(
                f"{_where(part)}no grouping into {len(lo)} groups met the conflicts and size "
                f"bounds after {CONSTRUCTION_ATTEMPTS} randomized construction attempts"
            )
        else:
            raise last_reason
    # Give each part a share of the time proportional to its search cost (k^2).
    weights = np.array([float(len(p.w)) ** 2 for p, *_ in plans])
    finished = 0.0
    if max_iterations is None or isinstance(max_iterations, (int, np.integer)):
        limits = [max_iterations] * len(plans)
    else:
        limits = [int(x) for x in max_iterations]
        if len(limits) != len(plans):
            raise InputError(f"max_iterations lists {len(limits)} counts for {len(plans)} segments")
    part_iterations = []
    stopped = ""
    cancelled = False
    for index, (part, lo, hi, assign) in enumerate(plans):
        share = weights[index] / weights[index:].sum() if weights[index:].sum() else 1.0
        sub_budget = _sub_budget(budget, share)
        inside = float(np.trace(part.D)) / 2.0 if len(part.w) < len(part.people) else 0.0

        def report(best, _inside=inside, _base=finished, _sub=sub_budget, _index=index):
            nonlocal cancelled
            if progress is None:
                return None
            frac = (_index + _sub.fraction()) / len(plans)
            if progress((_base + best + _inside) * problem.affinity_scale, frac) is False:
                cancelled = True
                return False
            return None

        done = 0
        if not cancelled:
            done = _search(part, lo, hi, assign, seed + index, sub_budget, limits[index], report)
        part_iterations.append(done)
        M, C, size, f = K.build_state(part.D, part.w, assign, len(lo), part.ptr, part.idx)
        finished += f + inside
    stopped = "cancelled" if cancelled else ("budget" if budget.expired() else "iterations")
    return plans, tuple(part_iterations), seed, wall0, cpu0, stopped


def _sub_budget(budget: _Budget, share: float) -> _Budget:
    now_w, now_c = time.perf_counter(), time.process_time()
    wall = None if budget.wall_deadline is None else (budget.wall_deadline - now_w) * share
    cpu = None if budget.cpu_deadline is None else (budget.cpu_deadline - now_c) * share
    return _Budget.start(wall, cpu)


def _assemble(problem, plans, part_iterations, seed, wall0, cpu0, stopped, bound) -> Solution:
    n = problem.n
    result = np.empty(n, dtype=np.int64)
    bounds: list[tuple[int, int]] = []
    for part, lo, hi, assign in plans:
        offset = len(bounds)
        for c in range(len(part.w)):
            members = part.people[part.comp_start[c] : part.comp_start[c + 1]]
            result[members] = offset + assign[c]
        bounds.extend(zip(lo.tolist(), hi.tolist(), strict=True))
    bounds_t = tuple(bounds)
    found = checks.violations(problem, result, bounds_t)
    if found:
        # Guarded by construction; reaching this is a bug, never a result.
        raise RuntimeError("solver produced an infeasible grouping: " + "; ".join(found[:5]))
    scores = checks.group_scores(problem, result, len(bounds_t))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    upper = checks.tight_upper_bound(problem, float(scores.sum())) if bound else None
    return Solution(
        assignment=result,
        group_bounds=bounds_t,
        objective=float(scores.sum()),
        group_scores=tuple(float(s) for s in scores),
        valid=True,
        violations=(),
        upper_bound=upper,
        wall_seconds=wall,
        cpu_seconds=cpu,
        iterations=sum(part_iterations),
        part_iterations=part_iterations,
        seed=seed,
        stopped=stopped,
    )
