"""Plain-words explanations of a group: what its members share and what they bring."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from grouping.affinity import Criterion, _missing, detect_kind


def _items(value, kind) -> list:
    if _missing(value):
        return []
    return sorted(value, key=str) if kind == "set" else [value]


def explain_group(
    people: Sequence[Mapping[str, object]],
    members: Sequence[int],
    criteria: Sequence[Criterion],
    *,
    limit: int = 6,
) -> str:
    """Describe one group, e.g. ``"shares: biotech, north; brings: marketing, hiring, finance"``.

    *Shares* lists, for the *similar* criteria, the values more than half the
    group has in common (with the count when not everyone has it) (numbers as their range); *brings* lists, for the
    *diverse* criteria, the distinct values the members bring, most common
    last so that rare skills come first.

    Parameters
    ----------
    people : sequence of mapping
        Attributes of everyone (indexed by ``members``).
    members : sequence of int
    criteria : sequence of Criterion
    limit : int
        Most values named per part; the rest are counted ("+3 more").

    Returns
    -------
    str
    """
    shares: list[str] = []
    brings: list[str] = []
    size = len(members)
    for crit in criteria:
        values = [people[i][crit.attribute] for i in members]
        kind = crit.kind or detect_kind([p[crit.attribute] for p in people])
        if kind == "number":
            nums = [float(v) for v in values if not _missing(v)]
            if nums:
                low, high = min(nums), max(nums)
                text = (
                    f"{crit.attribute} {low:g}"
                    if low == high
                    else f"{crit.attribute} {low:g}-{high:g}"
                )
                (shares if crit.mode == "similar" else brings).append(text)
            continue
        counts = Counter(item for v in values for item in _items(v, kind))
        if crit.mode == "similar":
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


def explain(people, groups: Sequence[Sequence[int]], criteria, **kwargs) -> list[str]:
    """:func:`explain_group` for every group, in order."""
    return [explain_group(people, members, criteria, **kwargs) for members in groups]


def criterion_breakdown(
    people: Sequence[Mapping[str, object]],
    members: Sequence[int],
    criteria: Sequence[Criterion],
) -> dict[str, float]:
    """Per criterion, the mean over the group's pairs of ``s_k`` (similar) or ``1 - s_k`` (diverse).

    Each value is in [0, 1]: how far the group meets that criterion, for the
    "score by criterion" an admin reads beside the explanation.
    """
    from grouping.affinity import build_affinity

    group = [people[i] for i in members]
    size = len(group)
    result = {}
    for crit in criteria:
        if size < 2:
            result[crit.attribute] = 0.0
            continue
        kind = crit.kind or detect_kind([p[crit.attribute] for p in people])
        unit = Criterion(crit.attribute, crit.mode, 1.0, kind)
        result[crit.attribute] = float(build_affinity(group, [unit]).sum() / (size * (size - 1)))
    return result
