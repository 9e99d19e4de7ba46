"""Peergroups grouping engine: maximally diverse grouping with conflicts (no Django imports)."""

from grouping.affinity import Criterion, affinity_unit, build_affinity
from grouping.checks import group_scores, is_valid, objective, upper_bound, violations
from grouping.exceptions import GroupingError, Infeasible, InputError
from grouping.explain import explain, explain_group
from grouping.problem import ENGINE_VERSION, Problem, Solution
from grouping.solver import solve, warm_up

__all__ = [
    "ENGINE_VERSION",
    "Criterion",
    "affinity_unit",
    "build_affinity",
    "explain",
    "explain_group",
    "GroupingError",
    "Infeasible",
    "InputError",
    "Problem",
    "Solution",
    "group_scores",
    "is_valid",
    "objective",
    "solve",
    "upper_bound",
    "violations",
    "warm_up",
]
