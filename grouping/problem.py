"""Plain data types of the grouping engine: the problem handed in and the solution handed back."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from grouping.exceptions import InputError

# Bumped whenever the same (problem, seed, iterations) may give different groups.
ENGINE_VERSION = "2026.12.2"


@dataclass(frozen=True, eq=False)
class Problem:
    """A grouping problem: maximally diverse grouping with hard constraints.

    Maximise the sum of ``affinity[i, j]`` over unordered pairs ``{i, j}`` that
    share a group (Gallego, Laguna, Marti and Duarte, JORS 64 (2013) 724-734),
    subject to group size bounds, cannot-link and must-link pairs and segments.

    Exactly one of ``group_bounds`` and ``group_size`` is given.

    Parameters
    ----------
    affinity : numpy.ndarray
        Symmetric ``(n, n)`` matrix, float32, float64 or int16 (then in steps of
        ``affinity_scale``); the diagonal is ignored.
    group_bounds : tuple of (int, int), optional
        One ``(a_g, b_g)`` pair per group: a fixed number of groups, each with
        its own size bounds (MDGPLIB's ``ss`` and ``ds`` forms).
    group_size : (int, int), optional
        ``(min, max)``: groups of min..max people, as many groups as needed.
        The solver uses the fewest groups that it can fill feasibly, with
        sizes differing by at most one where the constraints allow.
    cannot_link : tuple of (int, int)
        Pairs of people (0-based) that must not share a group.
    must_link : tuple of (int, int)
        Pairs of people that must share a group.
    segments : tuple, optional
        One label per person; a group never mixes labels. Needs ``group_size``.
    history : tuple of (int, int)
        Pairs that already met (repeat a pair to count it twice).
    history_penalty : float
        Subtracted from the affinity of a pair once per earlier meeting, so the
        search prefers new peers (rotation).
    target_size : int, optional
        With ``group_size``: form about ``total / target_size`` groups (sizes
        as even as the constraints allow) instead of the fewest that can be
        filled.
    open_seats : int
        With ``group_size``: leave at least this many seats free in every group
        for late joiners (groups are formed with at most ``max - open_seats``
        people; ``max`` stays the group's capacity).
    affinity_scale : float
        What one unit of ``affinity`` is worth (1 unless it is int16, as built by
        ``build_affinity(dtype=np.int16)``): scores, objectives and progress are
        reported in real units, ``affinity * affinity_scale``; the history penalty
        is in real units too.
    """

    affinity: np.ndarray
    group_bounds: tuple[tuple[int, int], ...] | None = None
    group_size: tuple[int, int] | None = None
    cannot_link: tuple[tuple[int, int], ...] = ()
    must_link: tuple[tuple[int, int], ...] = ()
    segments: tuple | None = None
    history: tuple[tuple[int, int], ...] = ()
    history_penalty: float = 0.0
    target_size: int | None = None
    open_seats: int = 0
    affinity_scale: float = 1.0

    def __post_init__(self):
        a = self.affinity
        if not isinstance(a, np.ndarray) or a.ndim != 2 or a.shape[0] != a.shape[1]:
            raise InputError("affinity must be a square numpy array")
        scale = float(self.affinity_scale)
        if not (np.isfinite(scale) and scale > 0):
            raise InputError("affinity_scale must be a positive number")
        object.__setattr__(self, "affinity_scale", scale)
        if a.dtype not in (np.float32, np.float64, np.int16):
            object.__setattr__(self, "affinity", a.astype(np.float64))
        if (self.group_bounds is None) == (self.group_size is None):
            raise InputError("give exactly one of group_bounds and group_size")
        if self.group_bounds is not None and (self.target_size is not None or self.open_seats):
            raise InputError("target_size and open_seats need group_size")
        if self.group_bounds is not None:
            bounds = tuple((int(lo), int(hi)) for lo, hi in self.group_bounds)
            if not bounds:
                raise InputError("group_bounds is empty")
            for g, (lo, hi) in enumerate(bounds):
                if lo < 0 or hi < lo or hi < 1:
                    raise InputError(f"group {g}: bounds ({lo}, {hi}) are not 0 <= min <= max")
            object.__setattr__(self, "group_bounds", bounds)
        else:
            lo, hi = (int(x) for x in self.group_size)
            if lo < 1 or hi < lo:
                raise InputError(f"group size ({lo}, {hi}) is not 1 <= min <= max")
            object.__setattr__(self, "group_size", (lo, hi))
            seats = int(self.open_seats)
            if seats < 0 or hi - seats < lo:
                raise InputError(
                    f"{seats} open seats per group leave groups of {lo} to {hi - seats} people"
                )
            object.__setattr__(self, "open_seats", seats)
            if self.target_size is not None:
                target = int(self.target_size)
                if not lo <= target <= hi - seats:
                    raise InputError(
                        f"target size {target} is outside {lo} to {hi - seats}"
                        + (f" ({hi} less {seats} open seats)" if seats else "")
                    )
                object.__setattr__(self, "target_size", target)
        n = self.n
        for name in ("cannot_link", "must_link", "history"):
            pairs = tuple((int(i), int(j)) for i, j in getattr(self, name))
            for i, j in pairs:
                if not (0 <= i < n and 0 <= j < n) or i == j:
                    raise InputError(
                        f"{name}: pair ({i}, {j}) is not two distinct people in 0..{n - 1}"
                    )
            object.__setattr__(self, name, pairs)
        if self.segments is not None:
            if len(self.segments) != n:
                raise InputError(f"segments has {len(self.segments)} labels for {n} people")
            if self.group_bounds is not None:
                raise InputError("segments need group_size (as many groups as needed per segment)")
            object.__setattr__(self, "segments", tuple(self.segments))

    @property
    def n(self) -> int:
        """Number of people."""
        return self.affinity.shape[0]


@dataclass(frozen=True, eq=False)
class Solution:
    """A grouping returned by :func:`grouping.solve`, re-scored by :mod:`grouping.checks`.

    Attributes
    ----------
    assignment : numpy.ndarray
        Group (0-based) of each person.
    group_bounds : tuple of (int, int)
        The bounds of each group used (chosen by the solver in ``group_size`` mode).
    objective : float
        Sum of the effective affinity (history penalty included) inside groups.
    group_scores : tuple of float
        The objective's share of each group.
    valid : bool
        Result of :func:`grouping.checks.is_valid`.
    violations : tuple of str
        Empty when valid.
    upper_bound : float or None
        A bound no grouping can beat (:func:`grouping.checks.tight_upper_bound`;
        None above 1,000 people or when not asked for). The gap to it is a
        guarantee, not the distance to the best grouping.
    wall_seconds, cpu_seconds : float
        Time used by the search (the bound not included).
    iterations : int
        Search iterations done (tabu steps and descent sweeps), all segments.
    seed : int
    part_iterations : tuple of int
        Iterations per segment (one entry without segments): with ``seed``
        all that ``solve(problem, max_iterations=part_iterations, seed=seed)``
        needs to give this assignment again.
    engine_version : str
        :data:`grouping.ENGINE_VERSION` of the engine that found it (the same
        seed and iterations give the same groups only on the same version).
    """

    assignment: np.ndarray
    group_bounds: tuple[tuple[int, int], ...]
    objective: float
    group_scores: tuple[float, ...]
    valid: bool
    violations: tuple[str, ...]
    upper_bound: float | None
    wall_seconds: float
    cpu_seconds: float
    iterations: int
    seed: int
    stopped: str = field(default="")
    part_iterations: tuple[int, ...] = ()
    engine_version: str = ENGINE_VERSION

    @property
    def groups(self) -> list[list[int]]:
        """Members (0-based person indices) of each group."""
        members: list[list[int]] = [[] for _ in self.group_bounds]
        for person, g in enumerate(self.assignment.tolist()):
            members[g].append(person)
        return members

    @property
    def gap_to_upper_bound(self) -> float | None:
        """Relative distance to the upper bound, in percent."""
        if self.upper_bound is None or self.upper_bound <= 0:
            return None
        return 100.0 * (self.upper_bound - self.objective) / self.upper_bound
