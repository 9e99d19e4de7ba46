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


def build_affinity(
    people: Sequence[Mapping[str, object]],
    criteria: Sequence[Criterion],
    *,
    dtype=np.float64,
    block: int = 1024,
    spans: Mapping[str, float] | None = None,
) -> np.ndarray:
    """The affinity matrix of ``people`` under ``criteria``.

    Parameters
    ----------
    people : sequence of mapping
        Each person's attributes, e.g. ``{"region": "north", "expertise": {"hiring"}}``.
    criteria : sequence of Criterion
    dtype : numpy dtype
        float32 halves the memory on large programmes (10,000 people: 400 MB).
    block : int
        Rows computed at once, to bound temporary memory.
    spans : mapping, optional
        The range of a number attribute to compare with, by attribute, instead of
        its range over ``people``: for a segment of a larger population, so that its
        pairs score as they do in the whole.

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
    D = np.zeros((n, n), dtype=dtype)
    for crit in criteria:
        if any(crit.attribute not in p for p in people):
            raise InputError(f"unknown attribute {crit.attribute!r}")
        values = [p[crit.attribute] for p in people]
        kind = crit.kind or detect_kind(values)
        present = np.array([not _missing(v) for v in values])
        if kind == "category":
            codes = {}
            code = np.array([codes.setdefault(v, len(codes)) for v in values])
        elif kind == "number":
            try:
                num = np.array([float(v) if not _missing(v) else np.nan for v in values])
            except (TypeError, ValueError) as exc:
                raise InputError(f"attribute {crit.attribute!r}: not a number ({exc})") from exc
            span = np.nanmax(num) - np.nanmin(num) if present.any() else 0.0
            span = span if span > 0 else 1.0
            if spans is not None and crit.attribute in spans:
                span = float(spans[crit.attribute])
            num = np.where(present, num, 0.0)  # a missing value's pairs are masked below
        else:
            vocab: dict[object, int] = {}
            for v in values:
                if not _missing(v):
                    for item in v:
                        vocab.setdefault(item, len(vocab))
            X = np.zeros((n, max(1, len(vocab))), dtype=np.float32)
            for i, v in enumerate(values):
                if not _missing(v):
                    for item in v:
                        X[i, vocab[item]] = 1.0
            counts = X.sum(axis=1)
        weight = np.asarray(crit.weight, dtype=D.dtype)
        for start in range(0, n, block):
            stop = min(n, start + block)
            both = present[start:stop, None] & present[None, :]
            if kind == "category":
                # 0 or 1 exactly: as a boolean until it is weighted (no float temporaries)
                same = code[start:stop, None] == code[None, :]
                hit = (~same if crit.mode == "diverse" else same) & both
                D[start:stop] += weight * hit
                continue
            if kind == "number":
                s = (1.0 - np.abs(num[start:stop, None] - num[None, :]) / span).astype(dtype)
            else:
                inter = X[start:stop] @ X.T
                union = counts[start:stop, None] + counts[None, :] - inter
                s = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0).astype(dtype)
            if crit.mode == "diverse":
                np.subtract(1.0, s, out=s)
            s *= both
            s *= weight
            D[start:stop] += s
    np.fill_diagonal(D, 0)
    return D
