"""An int16 affinity (half of float32's memory): built in steps, searched, reported in real units."""

import numpy as np
import pytest

import grouping.solver as solver
from grouping import InputError, Problem, objective, solve
from grouping.affinity import INT16_STEPS, Criterion, affinity_unit, build_affinity

CRITERIA = [
    Criterion("region", "similar", 2.0),
    Criterion("industry", "diverse", 1.0),
    Criterion("years", "diverse", 1.5),
    Criterion("topics", "similar", 1.0),
]


def _people(n, seed):
    rng = np.random.default_rng(seed)
    return [
        {
            "region": ["north", "south", "east", None][int(rng.integers(4))],
            "industry": str(rng.integers(5)),
            "years": float(rng.integers(0, 30)) if rng.random() > 0.1 else None,
            "topics": {int(x) for x in rng.choice(8, int(rng.integers(0, 4)), replace=False)},
        }
        for _ in range(n)
    ]


@pytest.mark.parametrize("seed", range(3))
def test_each_value_is_within_half_a_step_of_the_exact_one(seed):
    people = _people(120, seed)
    exact = build_affinity(people, CRITERIA)
    unit = affinity_unit(CRITERIA)
    steps = build_affinity(people, CRITERIA, dtype=np.int16, block=17)
    assert steps.dtype == np.int16
    assert (steps == steps.T).all() and not np.diagonal(steps).any()
    # half a step from rounding, and float32's error on the sum (well under a step)
    assert np.abs(steps * unit - exact).max() <= unit * 0.51
    assert steps.max() <= INT16_STEPS


def test_the_unit_leaves_room_for_the_history_penalty():
    assert affinity_unit(CRITERIA, penalty=4.5) == pytest.approx(10.0 / INT16_STEPS)
    assert affinity_unit([Criterion("region", "similar", 0.0)]) == pytest.approx(1 / INT16_STEPS)


def test_other_integer_types_and_a_bad_scale_are_refused():
    with pytest.raises(InputError, match="int16"):
        build_affinity(_people(5, 0), CRITERIA, dtype=np.int32)
    with pytest.raises(InputError, match="affinity_scale"):
        Problem(np.zeros((4, 4), dtype=np.int16), group_size=(2, 2), affinity_scale=0.0)


def _problems(n=90, seed=4, met=()):
    people = _people(n, seed)
    unit = affinity_unit(CRITERIA, penalty=3.0)
    shape = dict(group_size=(5, 9), history=met, history_penalty=3.0)
    steps = Problem(
        build_affinity(people, CRITERIA, dtype=np.int16, unit=unit), affinity_scale=unit, **shape
    )
    return steps, Problem(build_affinity(people, CRITERIA), **shape)


@pytest.mark.parametrize("in_place", [False, True])
def test_scores_and_progress_are_in_real_units(in_place):
    met = ((0, 1), (0, 1), (2, 3), (4, 5))
    steps, exact = _problems(met=met)
    before = steps.affinity.copy()
    reported = []
    sol = solve(
        steps, max_iterations=400, seed=3, in_place=in_place,
        progress=lambda best, fraction: reported.append(best),
    )  # fmt: skip
    # The solution's figures are the exact matrix's up to rounding (45 pairs a group at
    # most, each within half a step); the history penalty counts in real units.
    slack = 45 * len(sol.groups) * steps.affinity_scale / 2
    assert sol.objective == pytest.approx(objective(exact, sol.assignment), abs=slack)
    assert sum(sol.group_scores) == pytest.approx(sol.objective)
    assert reported and max(reported) == pytest.approx(sol.objective, abs=slack)
    assert objective(exact, sol.assignment) > 0.5 * objective(exact.affinity, sol.assignment)
    assert (steps.affinity == before).all()  # put back bit for bit


def test_the_search_finds_as_good_groups_on_steps_as_on_floats():
    steps, exact = _problems(n=150, seed=9)
    on_steps = [objective(exact, solve(steps, max_iterations=600, seed=s).assignment) for s in (1, 2, 3)]  # fmt: skip
    on_floats = [solve(exact, max_iterations=600, seed=s).objective for s in (1, 2, 3)]
    # Rounding sends the search down other paths, not worse ones.
    assert np.mean(on_steps) >= 0.998 * np.mean(on_floats)


def test_a_pair_met_very_often_stays_the_least_wanted_pair_instead_of_wrapping():
    steps, _ = _problems(n=12, met=((0, 1),) * 40)
    folded = solver.effective_affinity(steps)
    assert folded[0, 1] == folded[1, 0] == np.iinfo(np.int16).min
    assert folded[0, 2] == steps.affinity[0, 2]


def test_rebasing_the_tabu_step_count_changes_nothing(monkeypatch):
    _, exact = _problems(n=200, seed=5)
    plain = solve(exact, max_iterations=300, seed=2)
    monkeypatch.setattr(solver, "TABU_REBASE_AT", 7)
    rebased = solve(exact, max_iterations=300, seed=2)
    assert (plain.assignment == rebased.assignment).all()
    assert rebased.objective == plain.objective
