"""The solver: known optima, constraint validity, determinism, infeasibility reasons."""

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grouping import Infeasible, Problem, is_valid, objective, solve, violations


def _random_affinity(n, seed):
    rng = np.random.default_rng(seed)
    D = rng.integers(0, 100, (n, n)).astype(float)
    D = np.triu(D, 1)
    return D + D.T


def _brute_force(problem, m):
    best = -np.inf
    for a in itertools.product(range(m), repeat=problem.n):
        if a[0] != 0:  # groups are interchangeable when bounds are equal; fix person 0
            continue
        a = np.array(a)
        if is_valid(problem, a):
            best = max(best, objective(problem, a))
    return best


@pytest.mark.parametrize("seed", range(4))
def test_finds_brute_force_optimum_on_tiny_instances(seed):
    D = _random_affinity(9, seed)
    problem = Problem(D, group_bounds=((3, 3),) * 3, cannot_link=((0, 1), (2, 3)))
    sol = solve(problem, max_iterations=300, seed=seed)
    assert sol.objective == pytest.approx(_brute_force(problem, 3))
    assert sol.upper_bound >= sol.objective


def test_finds_brute_force_optimum_with_different_sizes():
    D = _random_affinity(10, 7)
    problem = Problem(D, group_bounds=((2, 5), (2, 5)), must_link=((4, 5),), cannot_link=((0, 9),))
    # different bounds make groups distinguishable: enumerate without symmetry breaking
    best = max(
        objective(D, np.array(a))
        for a in itertools.product(range(2), repeat=10)
        if is_valid(problem, np.array(a))
    )
    assert solve(problem, max_iterations=300, seed=1).objective == pytest.approx(best)


def test_same_seed_and_iterations_give_the_same_grouping():
    D = _random_affinity(60, 1)
    problem = Problem(D, group_size=(6, 10), cannot_link=tuple((i, i + 1) for i in range(0, 40, 2)))
    a = solve(problem, max_iterations=400, seed=5)
    b = solve(problem, max_iterations=400, seed=5)
    assert np.array_equal(a.assignment, b.assignment)
    assert a.objective == b.objective


def test_objective_does_not_depend_on_people_order():
    D = _random_affinity(24, 2)
    problem = Problem(D, group_bounds=((6, 6),) * 4)
    perm = np.random.default_rng(0).permutation(24)
    shuffled = Problem(D[np.ix_(perm, perm)], group_bounds=((6, 6),) * 4)
    a = solve(problem, max_iterations=500, seed=0)
    b = solve(shuffled, max_iterations=500, seed=0)
    # a small instance: both runs reach the same optimum whatever the numbering
    assert a.objective == pytest.approx(b.objective)
    assert objective(D, a.assignment) == pytest.approx(a.objective)


def test_group_size_mode_uses_fewest_groups():
    sol = solve(Problem(_random_affinity(25, 0), group_size=(6, 10)), max_iterations=50)
    assert len(sol.group_bounds) == 3
    assert sorted(len(g) for g in sol.groups) == [8, 8, 9]


def test_segments_are_solved_apart_and_never_mixed():
    segments = tuple("north" if i % 3 else "south" for i in range(40))
    problem = Problem(_random_affinity(40, 4), group_size=(4, 6), segments=segments)
    sol = solve(problem, max_iterations=100)
    for members in sol.groups:
        assert len({segments[i] for i in members}) == 1


def test_must_links_stay_together_and_history_is_avoided():
    D = np.ones((12, 12))
    history = tuple((i, j) for i in range(6) for j in range(i + 1, 6))
    problem = Problem(
        D, group_bounds=((6, 6), (6, 6)), must_link=((0, 11),), history=history, history_penalty=1.0
    )
    sol = solve(problem, max_iterations=200)
    assert sol.assignment[0] == sol.assignment[11]
    # the best grouping splits the six who met before three and three
    assert sol.objective == pytest.approx(30 - 6)


def test_progress_reports_and_cancel_stops_early():
    calls = []

    def progress(best, fraction):
        calls.append((best, fraction))
        return len(calls) < 3

    problem = Problem(_random_affinity(80, 3), group_size=(6, 10))
    sol = solve(problem, seconds=30, seed=0, progress=progress)
    assert len(calls) == 3
    assert sol.stopped == "cancelled"
    assert sol.wall_seconds < 10
    assert calls[-1][0] <= sol.objective + 1e-6


def test_time_budget_is_honoured():
    sol = solve(Problem(_random_affinity(120, 3), group_size=(6, 10)), seconds=0.5)
    assert sol.wall_seconds < 3
    assert sol.stopped == "budget"


@pytest.mark.parametrize(
    ("n", "kwargs", "reason"),
    [
        (7, {"group_bounds": ((2, 3), (2, 3))}, "cannot fill"),
        (
            6,
            {"group_bounds": ((1, 3),) * 2, "cannot_link": ((0, 1), (1, 2), (0, 2))},
            "pairwise in conflict",
        ),
        (
            6,
            {"group_bounds": ((1, 3),) * 3, "must_link": ((0, 1), (1, 2), (2, 3))},
            "more than the largest",
        ),
        (
            6,
            {"group_bounds": ((3, 3),) * 2, "must_link": ((0, 1),), "cannot_link": ((1, 0),)},
            "must-links put them",
        ),
        (8, {"group_size": (3, 4), "segments": ("a",) * 6 + ("b",) * 2}, "segment 'b'"),
        (7, {"group_size": (4, 5)}, "cannot be split"),
    ],
)
def test_infeasible_inputs_raise_with_a_reason(n, kwargs, reason):
    problem = Problem(np.ones((n, n)), **kwargs)
    with pytest.raises(Infeasible, match=reason):
        solve(problem, max_iterations=10)


def test_construction_failure_is_reported_as_infeasible():
    # a 5-cycle of conflicts needs 3 colours: the clique test (2) passes, construction cannot
    cycle = tuple((i, (i + 1) % 5) for i in range(5))
    problem = Problem(np.ones((5, 5)), group_bounds=((1, 5), (1, 5)), cannot_link=cycle)
    with pytest.raises(Infeasible, match="construction attempts"):
        solve(problem, max_iterations=10)


@st.composite
def problems(draw):
    n = draw(st.integers(4, 24))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    D = rng.random((n, n))
    D = (D + D.T) / 2
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    k_conf = draw(st.integers(0, min(len(pairs), n)))
    k_must = draw(st.integers(0, 2))
    chosen = rng.permutation(len(pairs))
    cannot = tuple(pairs[c] for c in chosen[:k_conf])
    must = tuple(pairs[c] for c in chosen[k_conf : k_conf + k_must])
    if draw(st.booleans()):
        smin = draw(st.integers(1, 4))
        smax = draw(st.integers(smin, smin + 4))
        segments = tuple(rng.integers(0, 2, n).tolist()) if draw(st.booleans()) else None
        return Problem(
            D, group_size=(smin, smax), cannot_link=cannot, must_link=must, segments=segments
        )
    m = draw(st.integers(1, 5))
    bounds = []
    for _ in range(m):
        lo = draw(st.integers(0, 6))
        bounds.append((lo, lo + draw(st.integers(0 if lo else 1, 6))))
    return Problem(D, group_bounds=tuple(bounds), cannot_link=cannot, must_link=must)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.integers(0, 3))
def test_every_returned_grouping_respects_all_constraints(problem, seed):
    try:
        sol = solve(problem, max_iterations=30, seed=seed)
    except Infeasible as exc:
        assert str(exc)
        return
    assert violations(problem, sol.assignment, sol.group_bounds) == []
    assert sol.valid
    assert sol.objective == pytest.approx(objective(problem, sol.assignment))
    assert sol.upper_bound >= sol.objective - 1e-9


@pytest.mark.parametrize("free_sizes", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tabu_step_takes_the_best_move_despite_pruning(seed, free_sizes):
    # The scan skips whole pairs of groups by upper bounds; one step from a random
    # grouping must still take the best one-move or swap there is (sizes fixed: swaps
    # only), also with negative affinities and a conflict.
    from grouping import _kernels as K

    rng = np.random.default_rng(seed)
    n, m = 30, 5
    D = rng.normal(0, 10, (n, n))
    D = np.triu(D, 1)
    D = D + D.T
    assign = rng.permutation(np.arange(n) % m).astype(np.int64)
    w = np.ones(n, dtype=np.int64)
    lo = np.full(m, n // m - (1 if free_sizes else 0), dtype=np.int64)
    hi = np.full(m, n // m + (1 if free_sizes else 0), dtype=np.int64)
    u0, v0 = (int(x) for x in np.flatnonzero(assign != assign[0])[:1].tolist() + [0])
    conflicts = {(u0, v0), (v0, u0)}
    ptr = np.zeros(n + 1, dtype=np.int64)
    ptr[u0 + 1 :] += 1
    ptr[v0 + 1 :] += 1
    idx = np.zeros(2, dtype=np.int64)
    idx[ptr[u0]], idx[ptr[v0]] = v0, u0

    def score(a):
        return sum(D[i, j] for i in range(n) for j in range(i + 1, n) if a[i] == a[j])

    def ok(a):
        sizes = np.bincount(a, minlength=m)
        return (sizes >= lo).all() and (sizes <= hi).all() and a[u0] != a[v0]

    f0 = score(assign)
    best = -np.inf
    for u in range(n):
        for g in range(m):
            b = assign.copy()
            b[u] = g
            if g != assign[u] and ok(b):
                best = max(best, score(b) - f0)
        for v in range(u + 1, n):
            if assign[u] != assign[v]:
                b = assign.copy()
                b[u], b[v] = b[v], b[u]
                if ok(b):
                    best = max(best, score(b) - f0)
    assert conflicts
    M, C, size, f = K.build_state(D, w, assign, m, ptr, idx)
    tabu = np.zeros((n, m), dtype=np.int32)
    fstate = np.array([f, f, f])
    istate = np.zeros(2, dtype=np.int64)
    state = np.array([12345], dtype=np.uint64)
    best_assign = assign.copy()
    K.tabu_search(
        D, w, lo, hi, ptr, idx, assign, M, C, size, tabu, best_assign, fstate, istate, state,
        K.lowest_pair(D), 1, 2, 2, 100, 3, 1000,
    )  # fmt: skip
    assert fstate[0] - f0 == pytest.approx(best)
    assert score(assign) - f0 == pytest.approx(best)
    assert ok(assign)


def test_open_seats_keep_room_in_every_group():
    problem = Problem(_random_affinity(40, 3), group_size=(6, 10), open_seats=2)
    sol = solve(problem, max_iterations=50)
    sizes = [len(g) for g in sol.groups]
    assert max(sizes) <= 8 and min(sizes) >= 6
    assert len(sizes) == 5  # the fewest groups of at most 8


def test_target_size_sets_the_number_of_groups():
    problem = Problem(_random_affinity(60, 3), group_size=(5, 10), target_size=6)
    sol = solve(problem, max_iterations=50)
    assert sorted(len(g) for g in sol.groups) == [6] * 10


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"group_size": (6, 8), "open_seats": 3}, "leave groups of 6 to 5"),
        ({"group_size": (6, 10), "open_seats": 2, "target_size": 9}, "outside 6 to 8"),
        ({"group_bounds": ((3, 4),) * 2, "open_seats": 1}, "need group_size"),
    ],
)
def test_seat_requests_that_cannot_be_met_are_refused(kwargs, message):
    from grouping import InputError

    with pytest.raises(InputError, match=message):
        Problem(np.ones((8, 8)), **kwargs)


def test_near_profiles_stay_within_bounds_and_slack():
    from grouping.solver import _near_profiles, _target_sizes

    rng = np.random.default_rng(5)
    lo = rng.integers(15, 21, 12)
    hi = lo + rng.integers(3, 7, 12)
    total = 240
    best = _target_sizes(total, lo, hi)

    def pairs(s):
        return int((s * (s - 1) // 2).sum())

    profiles = _near_profiles(total, lo, hi, best, np.random.default_rng(1), slack=8)
    assert profiles[0] is best
    assert len(profiles) > 1  # other profiles exist within 8 pairs here
    assert len({tuple(p.tolist()) for p in profiles}) == len(profiles)
    for p in profiles:
        assert p.sum() == total and (p >= lo).all() and (p <= hi).all()
        assert pairs(best) - 8 <= pairs(p) <= pairs(best)
    assert _near_profiles(total, lo, hi, best, np.random.default_rng(1), slack=0) == [best]


def test_crossover_fits_a_parent_group_into_a_smaller_profile():
    from grouping.solver import _crossover, _make_parts

    D = _random_affinity(40, 3)
    problem = Problem(D, group_bounds=((8, 12), (8, 12), (8, 12), (8, 12)))
    part = _make_parts(problem, D)[0]
    big = np.repeat(np.arange(4), [12, 12, 8, 8])  # parents with groups of 12
    other = np.repeat(np.arange(4), [8, 8, 12, 12])
    profile = np.array([8, 12, 8, 12])
    for seed in range(10):
        child = _crossover(part, profile, profile, big, other, np.random.default_rng(seed))
        assert child is not None
        assert np.bincount(child, minlength=4).tolist() == profile.tolist()


@pytest.mark.parametrize(("seed", "restart_after"), [(1, None), (2, 1)])
def test_different_size_bounds_with_large_groups_are_solved_and_replayed(
    seed, restart_after, monkeypatch
):
    # groups of about 15 with different bounds: the size-profile search and its restarts
    # (restart_after=1: the population is rebuilt after every population's worth of
    # children without a new best)
    from grouping import solver

    if restart_after is not None:
        monkeypatch.setattr(solver, "RESTART_AFTER", restart_after)
    rng = np.random.default_rng(seed)
    D = _random_affinity(90, seed)
    lo = rng.integers(11, 15, 6)
    bounds = tuple(
        (int(a), int(a) + int(b)) for a, b in zip(lo, rng.integers(3, 7, 6), strict=True)
    )
    problem = Problem(D, group_bounds=bounds)
    sol = solve(problem, max_iterations=40000, seed=seed, bound=False)
    assert is_valid(problem, sol.assignment, bounds)
    again = solve(problem, max_iterations=sol.iterations, seed=seed, bound=False)
    assert (again.assignment == sol.assignment).all()
    # at least as good as a search confined to the size profile with the most pairs
    greedy = solve(problem, max_iterations=2000, seed=seed, bound=False)
    assert sol.objective >= greedy.objective
