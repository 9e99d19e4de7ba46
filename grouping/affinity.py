"""Affinity from people's attributes and the admin's criteria: d[i][j] = sum_k w_k s_k(i, j).

``s_k`` is in [0, 1]: equality for categories, closeness for numbers, overlap
(Jaccard) for sets such as expertise or availability slots; a *diverse*
criterion uses ``1 - s_k``. A pair where either value is missing gets 0 for
that criterion, whatever its mode.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from grouping.exceptions import InputError

Kind = Literal["category", "number", "set"]


@dataclass(frozen=True)
class Criterion:
    """One attribute the grouping should make groups similar or diverse in.

    Parameters
    ----------
    attribute : str
        Key of the attribute in each person's mapping.
    mode : {"similar", "diverse"}
        *similar*: groups share the value; *diverse*: groups mix values.
    weight : float
        Non-negative weight ``w_k``.
    kind : {"category", "number", "set"}, optional
        How values compare; detected from the values when omitted.
    """

    attribute: str
    mode: Literal["similar", "diverse"] = "diverse"
    weight: float = 1.0
    kind: Kind | None = None

    def __post_init__(self):
        if self.mode not in ("similar", "diverse"):
            raise InputError(f"criterion {self.attribute!r}: mode must be 'similar' or 'diverse'")
        if not self.weight >= 0:
            raise InputError(f"criterion {self.attribute!r}: weight must be >= 0")


def _missing(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def detect_kind(values: Sequence) -> Kind:
    """``set`` for sets/lists/tuples, ``number`` for numbers, else ``category``."""
    present = [v for v in values if not _missing(v)]
    if present and all(isinstance(v, set | frozenset | list | tuple) for v in present):
        return "set"
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "number"
    return "category"


# An int16 affinity (`build_affinity(dtype=np.int16)`) counts in steps of `affinity_unit`:
# every value from 0 to the weights' sum, less a pair's history penalty, fits in this
# many steps either side of zero (int16 holds 32,767).
INT16_STEPS = 32_000


def affinity_unit(criteria: Sequence[Criterion], penalty: float = 0.0) -> float:
    """What one step of an int16 affinity is worth, for ``criteria``.

    Each criterion adds at most its weight to a pair, so values lie in 0 to the
    weights' sum; ``penalty`` (a pair's history penalty) leaves room below zero.
    At 5 criteria of weight 1 and a penalty of 1 a step is 0.00019: a group of 10's
    score (45 pairs, each within half a step) moves by at most 0.0043 from rounding.
    """
    top = sum(float(c.weight) for c in criteria) + max(0.0, float(penalty))
    return (top if top > 0 else 1.0) / INT16_STEPS


def _prepared(people: Sequence[Mapping[str, object]], crit: Criterion, spans) -> tuple:
    """One criterion's per-person arrays: (kind, present, values, set sizes, number span)."""
    if any(crit.attribute not in p for p in people):
        raise InputError(f"unknown attribute {crit.attribute!r}")
    values = [p[crit.attribute] for p in people]
    kind = crit.kind or detect_kind(values)
    present = np.array([not _missing(v) for v in values], dtype=bool)
    if kind == "category":
        codes: dict[object, int] = {}
        code = np.array([codes.setdefault(v, len(codes)) for v in values])
        return kind, present, code, None, 1.0
    if kind == "number":
        try:
            num = np.array([float(v) if not _missing(v) else np.nan for v in values])
        except (TypeError, ValueError) as exc:
            raise InputError(f"attribute {crit.attribute!r}: not a number ({exc})") from exc
        span = np.nanmax(num) - np.nanmin(num) if present.any() else 0.0
        span = span if span > 0 else 1.0
        if spans is not None and crit.attribute in spans:
            span = float(spans[crit.attribute])
        num = np.where(present, num, 0.0)  # a missing value's pairs are masked below
        return kind, present, num, None, span
    vocab: dict[object, int] = {}
    for v in values:
        if not _missing(v):
            for item in v:
                vocab.setdefault(item, len(vocab))
    X = np.zeros((len(people), max(1, len(vocab))), dtype=np.float32)
    for i, v in enumerate(values):
        if not _missing(v):
            for item in v:
                X[i, vocab[item]] = 1.0
    return kind, present, X, X.sum(axis=1), 1.0


def build_affinity(
    people: Sequence[Mapping[str, object]],
    criteria: Sequence[Criterion],
    *,
    dtype=np.float64,
    block: int = 1024,
    spans: Mapping[str, float] | None = None,
    unit: float | None = None,
) -> np.ndarray:
    """The affinity matrix of ``people`` under ``criteria``.

    Parameters
    ----------
    people : sequence of mapping
        Each person's attributes, e.g. ``{"region": "north", "expertise": {"hiring"}}``.
    criteria : sequence of Criterion
    dtype : numpy dtype
        float32 halves the memory on large programmes (10,000 people: 400 MB);
        int16 halves it again (200 MB): each value is then rounded to a whole number
        of ``unit`` (give the same unit to :class:`grouping.Problem` as
        ``affinity_scale``, so that scores read in real units).
    block : int
        Rows computed at once, to bound temporary memory.
    spans : mapping, optional
        The range of a number attribute to compare with, by attribute, instead of
        its range over ``people``: for a segment of a larger population, so that its
        pairs score as they do in the whole.
    unit : float, optional
        For an int16 matrix, what one step is worth (default
        :func:`affinity_unit` of ``criteria``).

    Returns
    -------
    numpy.ndarray
        Symmetric ``(n, n)`` matrix with zero diagonal.

    Raises
    ------
    InputError
        Unknown attribute or a value that does not fit the criterion's kind.
    """
    n = len(people)
    dtype = np.dtype(dtype)
    whole = dtype.kind == "i"
    if whole:
        if dtype != np.int16:
            raise InputError("an integer affinity is int16")
        unit = affinity_unit(criteria) if unit is None else float(unit)
        if not unit > 0:
            raise InputError("the unit of an int16 affinity must be > 0")
    prepared = [(crit, _prepared(people, crit, spans)) for crit in criteria]
    D = np.zeros((n, n), dtype=dtype)
    # Each block of rows is summed over the criteria, in float32 when the matrix is
    # int16 (then rounded to steps once, not per criterion).
    work = np.float32 if whole else dtype
    for start in range(0, n, block):
        stop = min(n, start + block)
        rows = np.zeros((stop - start, n), dtype=work) if whole else D[start:stop]
        for crit, (kind, present, values, counts, span) in prepared:
            weight = np.asarray(crit.weight, dtype=work)
            both = present[start:stop, None] & present[None, :]
            if kind == "category":
                # 0 or 1 exactly: as a boolean until it is weighted (no float temporaries)
                same = values[start:stop, None] == values[None, :]
                hit = (~same if crit.mode == "diverse" else same) & both
                rows += weight * hit
                continue
            if kind == "number":
                s = (1.0 - np.abs(values[start:stop, None] - values[None, :]) / span).astype(work)
            else:
                inter = values[start:stop] @ values.T
                union = counts[start:stop, None] + counts[None, :] - inter
                s = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0).astype(work)
            if crit.mode == "diverse":
                np.subtract(1.0, s, out=s)
            s *= both
            s *= weight
            rows += s
        if whole:
            rows /= unit
            np.rint(rows, out=rows)
            D[start:stop] = rows
    np.fill_diagonal(D, 0)
    return D
