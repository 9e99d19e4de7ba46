"""Scores and explanations of one group, in plain Python, for web processes.

Web processes do not load the engine (NumPy, numba: seconds and 100+ MB per process).
The task stores the engine's own figures with the proposal; when an admin edits a
group, these functions recompute that group's figures. They follow the engine's
formulas step for step (`grouping.affinity.build_affinity`,
`grouping.explain.criterion_breakdown`, `grouping.explain.explain_group`), including
its float32 set overlap, and `tests/test_scoring.py` holds them equal to the engine.
A group has at most ten people, so a pure-Python pass over its 45 pairs is instant.
"""

import struct
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from typing import NamedTuple

from peergroups.formation.criteria import Measure


def _missing(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _float32(x: float) -> float:
    # The engine computes set overlap in float32: round the same way.
    return struct.unpack("f", struct.pack("f", x))[0]


def number_spans(people: Iterable[Mapping], criteria: Sequence[Measure]) -> dict[str, float]:
    """The range of each number attribute over `people` (1 when empty or flat)."""
    spans = {}
    people = list(people)
    for m in criteria:
        if m.kind == "number":
            values = [float(p[m.attribute]) for p in people if not _missing(p[m.attribute])]
            span = max(values) - min(values) if values else 0.0
            spans[m.attribute] = span if span > 0 else 1.0
    return spans


def similarity(kind: str, a, b, span: float = 1.0) -> float:
    """`s_k(i, j)` in [0, 1]: equality, closeness, or set overlap (Jaccard); 0 if missing."""
    if _missing(a) or _missing(b):
        return 0.0
    if kind == "category":
        return 1.0 if a == b else 0.0
    if kind == "number":
        return 1.0 - abs(float(a) - float(b)) / span
    left, right = set(a), set(b)
    inter = len(left & right)
    union = len(left) + len(right) - inter
    return _float32(inter / union) if union > 0 else 0.0


def pair_affinity(
    a: Mapping, b: Mapping, criteria: Sequence[Measure], spans: Mapping[str, float]
) -> float:
    """`d[i][j] = sum_k w_k s_k(i, j)`, with `1 - s_k` for diverse criteria."""
    total = 0.0
    for m in criteria:
        s = similarity(m.kind, a[m.attribute], b[m.attribute], spans.get(m.attribute, 1.0))
        if m.mode == "diverse":
            s = 1.0 - s
        if _missing(a[m.attribute]) or _missing(b[m.attribute]):
            s = 0.0  # a pair where either value is missing gets 0, whatever the mode
        total += m.weight * s
    return total


def group_score(
    members: Sequence[Mapping],
    criteria: Sequence[Measure],
    spans: Mapping[str, float],
    *,
    met: int = 0,
    history_penalty: float = 0.0,
) -> float:
    """Sum of affinities over the group's pairs, less the penalty for `met` earlier meetings.

    `pair_affinity` over every pair, with each member's values read and checked once
    (a task rescoring 900 groups spent 4 s on the checks): the same operations in the
    same order per pair, so the same float."""
    columns = [_prepared(m, [p[m.attribute] for p in members], spans) for m in criteria]
    total = 0
    for i, j in combinations(range(len(members)), 2):
        pair = 0.0
        for m, values in columns:
            a, b = values[i], values[j]
            if a is None or b is None:
                s = 0.0  # a pair where either value is missing gets 0, whatever the mode
            else:
                if m.kind == "category":
                    s = 1.0 if a == b else 0.0
                elif m.kind == "number":
                    s = 1.0 - abs(a - b) / m.span
                else:
                    inter = len(a & b)
                    union = len(a) + len(b) - inter
                    s = _float32(inter / union) if union > 0 else 0.0
                if m.mode == "diverse":
                    s = 1.0 - s
            pair += m.weight * s
        total += pair
    return total - history_penalty * met


class _Column(NamedTuple):
    kind: str
    mode: str
    weight: float
    span: float


def _prepared(m: Measure, values: list, spans: Mapping[str, float]) -> tuple[_Column, list]:
    """A criterion's values as `similarity` reads them: None when missing, a float for
    a number, a set for a set."""
    if m.kind == "number":
        ready = [None if _missing(v) else float(v) for v in values]
    elif m.kind == "category":
        ready = [None if _missing(v) else v for v in values]
    else:
        ready = [None if _missing(v) else set(v) for v in values]
    return _Column(m.kind, m.mode, m.weight, spans.get(m.attribute, 1.0)), ready


def breakdown(members: Sequence[Mapping], criteria: Sequence[Measure]) -> dict[str, float]:
    """Per criterion, the mean over the group's pairs of `s_k` (similar) or `1 - s_k` (diverse)."""
    size = len(members)
    result = {}
    for m in criteria:
        if size < 2:
            result[m.attribute] = 0.0
            continue
        unit = [Measure(m.attribute, m.mode, 1.0, m.kind)]
        spans = number_spans(members, unit)  # the engine's breakdown spans the group only
        pairs = sum(pair_affinity(a, b, unit, spans) for a, b in combinations(members, 2))
        result[m.attribute] = 2.0 * pairs / (size * (size - 1))
    return result


def _items(value, kind: str) -> list:
    if _missing(value):
        return []
    return sorted(value, key=str) if kind == "set" else [value]


def explanation(members: Sequence[Mapping], criteria: Sequence[Measure], *, limit: int = 6) -> str:
    """ "shares: biotech, Boston; brings: marketing, hiring": the engine's `explain_group`."""
    shares: list[str] = []
    brings: list[str] = []
    size = len(members)
    for m in criteria:
        values = [p[m.attribute] for p in members]
        if m.kind == "number":
            numbers = [float(v) for v in values if not _missing(v)]
            if numbers:
                low, high = min(numbers), max(numbers)
                text = (
                    f"{m.attribute} {low:g}" if low == high else f"{m.attribute} {low:g}-{high:g}"
                )
                (shares if m.mode == "similar" else brings).append(text)
            continue
        counts = Counter(item for v in values for item in _items(v, m.kind))
        if m.mode == "similar":
            for x, c in counts.most_common():
                if 2 * c > size and c > 1:
                    shares.append(str(x) if c == size else f"{x} ({c}/{size})")
        else:
            brings.extend(
                str(x) for x, _ in sorted(counts.items(), key=lambda kv: (kv[1], str(kv[0])))
            )

    def words(items: list[str]) -> str:
        unique = list(dict.fromkeys(items))
        text = ", ".join(unique[:limit])
        return text + (f" (+{len(unique) - limit} more)" if len(unique) > limit else "")

    parts = []
    if shares:
        parts.append("shares: " + words(shares))
    if brings:
        parts.append("brings: " + words(brings))
    return "; ".join(parts) if parts else "no criteria"
