"""Affinity between people from their attributes: d[i][j] = sum_k w_k * s_k(i, j).

Each criterion compares one attribute: equality for categories, closeness for
numbers, overlap (Jaccard) for sets such as areas of expertise or availability
slots. ``s_k`` lies in [0, 1] and becomes ``1 - s_k`` for a *diverse* criterion,
so the same maximisation brings together people who share a context (similar)
and who bring different expertise (diverse).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from grouping.exceptions import InputError

Kind = Literal["category", "number", "set"]
Mode = Literal["similar", "diverse"]

# A missing answer says nothing either way: it scores half, for similar and diverse alike.
NEUTRAL = 0.5


@dataclass(frozen=True)
class Criterion:
    """One attribute compared between two people.

    Parameters
    ----------
    attribute : str
        Key of the attribute in each person's mapping.
    mode : {"similar", "diverse"}
        Reward equal values (similar) or different ones (diverse).
    weight : float
        Non-negative weight ``w_k``.
    kind : {"category", "number", "set"}, optional
        How values compare; inferred from the values when omitted.
    scale : float, optional
        For numbers: the difference at which closeness reaches 0 (default: the
        range of the values).
    """

    attribute: str
    mode: Mode = "similar"
    weight: float = 1.0
    kind: Kind | None = None
    scale: float | None = None

    def __post_init__(self):
        if self.mode not in ("similar", "diverse"):
            raise InputError(f"criterion {self.attribute!r}: mode must be similar or diverse")
        if not self.weight >= 0:
            raise InputError(f"criterion {self.attribute!r}: weight must be >= 0")
        if self.kind not in (None, "category", "number", "set"):
            raise InputError(f"criterion {self.attribute!r}: unknown kind {self.kind!r}")


def _missing(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and np.isnan(value))


def infer_kind(values: Sequence[Any]) -> Kind:
    present = [v for v in values if not _missing(v)]
    if present and all(isinstance(v, (set, frozenset, list, tuple)) for v in present):
        return "set"
    if present and all(
        isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in present
    ):
        return "number"
    return "category"


def similarity(
    people: Sequence[Mapping[str, Any]], criterion: Criterion, dtype=np.float64
) -> np.ndarray:
    """The ``(n, n)`` matrix ``s_k`` of one criterion, before the diverse flip."""
    values = [person.get(criterion.attribute) for person in people]
    kind = criterion.kind or infer_kind(values)
    missing = np.array([_missing(v) or (kind == "set" and len(v) == 0) for v in values])
    n = len(values)
    if kind == "number":
        x = np.array(
            [np.nan if m else float(v) for v, m in zip(values, missing, strict=True)],
            dtype=np.float64,
        )
        known = x[~missing]
        span = criterion.scale or (float(known.max() - known.min()) if known.size else 0.0)
        if span <= 0:
            s = np.ones((n, n), dtype=dtype)
        else:
            s = 1.0 - np.abs(x[:, None] - x[None, :]) / span
            s = np.clip(s, 0.0, 1.0).astype(dtype)
    else:
        vocabulary: dict[Any, int] = {}
        rows, cols = [], []
        for i, value in enumerate(values):
            if missing[i]:
                continue
            items = set(value) if kind == "set" else {value}
            for item in items:
                rows.append(i)
                cols.append(vocabulary.setdefault(item, len(vocabulary)))
        incidence = np.zeros((n, max(len(vocabulary), 1)), dtype=dtype)
        incidence[rows, cols] = 1.0
        common = incidence @ incidence.T
        if kind == "category":
            s = common
        else:
            sizes = incidence.sum(axis=1)
            union = sizes[:, None] + sizes[None, :] - common
            with np.errstate(invalid="ignore", divide="ignore"):
                s = np.where(union > 0, common / union, 0.0).astype(dtype)
    if missing.any():
        s[missing, :] = NEUTRAL
        s[:, missing] = NEUTRAL
    return s


def build_affinity(
    people: Sequence[Mapping[str, Any]], criteria: Sequence[Criterion], dtype=np.float64
) -> np.ndarray:
    """The affinity matrix ``d`` (zero diagonal) of people described by attribute mappings.

    Parameters
    ----------
    people : sequence of mapping
        One mapping of attribute name to value per person.
    criteria : sequence of Criterion
    dtype : numpy dtype
        float32 halves the memory for thousands of people.

    Returns
    -------
    numpy.ndarray
        Symmetric ``(n, n)`` matrix.

    Raises
    ------
    InputError
        When no criterion is given or an attribute is absent from everyone.
    """
    if not criteria:
        raise InputError("give at least one criterion")
    n = len(people)
    total = np.zeros((n, n), dtype=dtype)
    for criterion in criteria:
        if n and all(criterion.attribute not in person for person in people):
            raise InputError(f"no person has the attribute {criterion.attribute!r}")
        s = similarity(people, criterion, dtype)
        if criterion.mode == "diverse":
            np.subtract(1.0, s, out=s)
        total += np.asarray(criterion.weight, dtype=dtype) * s
    np.fill_diagonal(total, 0.0)
    return total
