"""The independent checks: objective and validity, against published MDGPLIB solutions."""

import csv

import numpy as np
import pytest

from grouping import Problem, is_valid, mdgplib, objective, violations
from grouping.checks import group_scores, tight_upper_bound, upper_bound


def _tsv(path):
    with open(path, newline="") as fh:
        return {row["instance"]: row for row in csv.DictReader(fh, delimiter="\t")}


def _instance_of(solution_name: str) -> str:
    stem = solution_name.split(".")[0]
    for suffix in ("_tpsdp_t3", "_tpsdp_t20", "_tpsdp_t120", "_new", "new"):
        if stem.endswith(suffix):
            return stem[: -len(suffix)]
    return stem


def test_release_solutions_score_their_published_best(mdgp_dir):
    stats = _tsv(mdgp_dir / "tpsdp_release_stats.tsv")
    files = sorted((mdgp_dir / "solutions" / "tpsdp_release").iterdir())
    assert len(files) == 37
    for path in files:
        name = _instance_of(path.name)
        inst = mdgplib.read_instance(mdgp_dir / "instances" / f"{name}.txt")
        assignment = mdgplib.read_solution(path)
        assert is_valid(inst.problem(), assignment), (name, violations(inst.problem(), assignment))
        assert objective(inst.distances, assignment) == pytest.approx(
            float(stats[name]["best"]), abs=1e-3
        ), name


def test_local_solutions_score_best_known(mdgp_dir):
    best = _tsv(mdgp_dir / "best_known.tsv")
    files = sorted((mdgp_dir / "solutions" / "local").iterdir())
    assert files
    for path in files:
        name = _instance_of(path.name)
        assert "local" in best[name]["source"], name
        inst = mdgplib.read_instance(mdgp_dir / "instances" / f"{name}.txt")
        assignment = mdgplib.read_solution(path)
        assert is_valid(inst.problem(), assignment)
        assert objective(inst.distances, assignment) == pytest.approx(
            float(best[name]["best_known"]), abs=1e-3
        ), name


def test_objective_counts_each_pair_once():
    D = np.array([[0, 1, 2, 3], [1, 0, 4, 5], [2, 4, 0, 6], [3, 5, 6, 0]], dtype=float)
    assert objective(D, [0, 0, 1, 1]) == 1 + 6
    assert objective(D, [0, 0, 0, 0]) == 21
    assert list(group_scores(D, [1, 0, 1, 0])) == [5, 2]


def test_objective_is_invariant_under_relabelling():
    rng = np.random.default_rng(3)
    D = rng.random((30, 30))
    D = D + D.T
    a = rng.integers(0, 5, 30)
    perm = rng.permutation(5)
    assert objective(D, perm[a]) == pytest.approx(objective(D, a))
    people = rng.permutation(30)
    assert objective(D[np.ix_(people, people)], a[people]) == pytest.approx(objective(D, a))


def test_violations_name_each_broken_constraint():
    p = Problem(
        np.zeros((5, 5)),
        group_bounds=((2, 3), (2, 3)),
        cannot_link=((0, 1),),
        must_link=((2, 3),),
    )
    found = violations(p, [0, 0, 0, 0, 1])
    assert any("4 people" in v for v in found)
    assert any("0 and 1 must not" in v for v in found)
    assert not any("2 and 3" in v for v in found)
    assert violations(p, [0, 1, 0, 0, 1]) == []


def test_violations_catch_mixed_segments_and_bad_sizes():
    p = Problem(np.zeros((4, 4)), group_size=(2, 2), segments=("a", "a", "b", "b"))
    assert violations(p, [0, 0, 1, 1]) == []
    assert any("mixes segments" in v for v in violations(p, [0, 1, 0, 1]))
    assert any("size must be 2..2" in v for v in violations(p, [0, 0, 0, 1]))


def test_history_penalty_counts_in_the_objective():
    D = np.ones((4, 4))
    p = Problem(D, group_size=(2, 2), history=((0, 1), (0, 1)), history_penalty=0.5)
    assert objective(p, [0, 0, 1, 1]) == pytest.approx(2 - 1.0)
    assert objective(p, [0, 1, 0, 1]) == pytest.approx(2)


def test_upper_bound_is_above_a_known_optimum():
    rng = np.random.default_rng(0)
    D = rng.random((8, 8))
    D = D + D.T
    p = Problem(D, group_bounds=((4, 4), (4, 4)))
    assert upper_bound(p) >= objective(D, [0, 0, 0, 0, 1, 1, 1, 1])


def test_engine_never_imports_django():
    import subprocess
    import sys

    code = (
        "import sys, grouping, grouping.cli, grouping.mdgplib; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"group_bounds": ((3, 3), (3, 3), (2, 2))},
        {"group_bounds": ((2, 4),) * 3, "cannot_link": ((0, 1), (2, 3), (4, 5))},
        {"group_size": (2, 4), "history": ((0, 1), (1, 2)), "history_penalty": 3.0},
        {"group_size": (2, 5), "open_seats": 1, "cannot_link": ((0, 7),)},
        {"group_size": (2, 3), "segments": (0, 0, 0, 0, 1, 1, 1, 1)},
        {"group_bounds": ((1, 5), (2, 2), (3, 4))},
    ],
)
@pytest.mark.parametrize("seed", [0, 1])
def test_tight_upper_bound_never_falls_below_the_brute_force_optimum(kwargs, seed):
    import itertools

    rng = np.random.default_rng(seed)
    n = 8
    D = rng.normal(5, 4, (n, n)) if seed else rng.random((n, n)) * 10
    D = np.triu(D, 1)
    D = D + D.T
    problem = Problem(D, **kwargs)
    bounds = kwargs.get("group_bounds")
    m = len(bounds) if bounds else 4

    def feasible(a):
        if not is_valid(problem, a, bounds):
            return False
        return bounds or all(
            s <= kwargs["group_size"][1] - problem.open_seats for s in np.bincount(a)
        )

    best = max(
        objective(problem, a)
        for a in map(np.array, itertools.product(range(m), repeat=n))
        if feasible(a)
    )
    bound = tight_upper_bound(problem, lower=best)
    assert bound >= best - 1e-6


def test_tight_upper_bound_is_tighter_on_a_program_shaped_instance():
    from grouping import Criterion, build_affinity, solve

    gen = np.random.default_rng(3)
    people = [
        {"region": f"r{gen.integers(5)}", "industry": f"i{gen.integers(8)}",
         "expertise": frozenset(gen.choice([f"s{k}" for k in range(12)], 3, replace=False).tolist())}
        for _ in range(80)
    ]  # fmt: skip
    criteria = [Criterion("region", "similar", 2), Criterion("industry", "similar", 1),
                Criterion("expertise", "diverse", 1)]  # fmt: skip
    problem = Problem(build_affinity(people, criteria), group_size=(7, 9))
    sol = solve(problem, max_iterations=3000, seed=1)
    assert sol.objective <= sol.upper_bound < upper_bound(problem)


def test_no_bound_above_a_thousand_people():
    assert tight_upper_bound(Problem(np.ones((1001, 1001)), group_size=(6, 10))) is None
