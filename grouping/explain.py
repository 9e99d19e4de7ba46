"""Plain-language reasons for a group: what its members share and what they bring.

"shares: biotech, Boston; brings: marketing, hiring, finance" is what a program
admin reads next to each proposed group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grouping.affinity import Criterion, _missing, infer_kind, similarity


@dataclass(frozen=True)
class GroupExplanation:
    """Why a group fits together.

    Attributes
    ----------
    shares : tuple of str
        Values that most members have in common on *similar* criteria.
    brings : tuple of str
        The spread of values on *diverse* criteria, most frequent first.
    breakdown : dict of str to float
        Per criterion, the mean over the group's pairs of ``s_k`` (similar) or
        ``1 - s_k`` (diverse), in [0, 1].
    """

    shares: tuple[str, ...]
    brings: tuple[str, ...]
    breakdown: dict[str, float]

    @property
    def text(self) -> str:
        parts = []
        if self.shares:
            parts.append("shares: " + ", ".join(self.shares))
        if self.brings:
            parts.append("brings: " + ", ".join(self.brings))
        return "; ".join(parts)


def _items(value: Any) -> list:
    if _missing(value):
        return []
    if isinstance(value, (set, frozenset, list, tuple)):
        return list(value)
    return [value]


def explain_group(
    people: Sequence[Mapping[str, Any]],
    members: Sequence[int],
    criteria: Sequence[Criterion],
    *,
    label=str,
    max_brings: int = 6,
) -> GroupExplanation:
    """Explain one group.

    Parameters
    ----------
    people : sequence of mapping
        Everyone's attributes (as given to :func:`grouping.affinity.build_affinity`).
    members : sequence of int
        Indices of the group's members in ``people``.
    criteria : sequence of Criterion
    label : callable
        Turns a value into display text (e.g. an area key into its label).
    max_brings : int
        At most this many values listed under "brings".
    """
    members = list(members)
    group = [people[i] for i in members]
    shares: list[str] = []
    brings: Counter = Counter()
    breakdown: dict[str, float] = {}
    for criterion in criteria:
        values = [person.get(criterion.attribute) for person in group]
        counts = Counter(item for value in values for item in dict.fromkeys(_items(value)))
        if criterion.mode == "similar":
            # A value "shared" by the group: held by at least half of its members.
            shares.extend(
                str(label(item))
                for item, count in counts.most_common()
                if count * 2 >= len(group) and count > 1
            )
        else:
            brings.update(counts)
        if len(group) > 1:
            kind = criterion.kind or infer_kind([p.get(criterion.attribute) for p in people])
            s = similarity(
                group, Criterion(criterion.attribute, "similar", 1.0, kind, criterion.scale)
            )
            mean = float((s.sum() - np.trace(s)) / (len(group) * (len(group) - 1)))
            breakdown[criterion.attribute] = mean if criterion.mode == "similar" else 1.0 - mean
    ordered = [str(label(item)) for item, _ in brings.most_common(max_brings)]
    return GroupExplanation(shares=tuple(shares), brings=tuple(ordered), breakdown=breakdown)
