"""Why a formation cannot be made, in words an admin can act on, with one-click remedies.

Plain Python over the run's snapshot (no engine): the task calls it when the engine
finds no grouping, the run page shows it. It names the segment, how many people and
why; people kept apart are counted, never named, and never by the reason that keeps
them apart (a "not with" declaration is for the grouping only).
"""

from collections import defaultdict
from collections.abc import Iterable
from math import ceil

from peergroups.formation.criteria import ATTRIBUTES
from peergroups.formation.parameters import MIN_GROUP_SIZE, Parameters
from peergroups.formats import count_of

# The remedies a run page offers as buttons (`services.formation_run_remedy`).
REMEDY_MERGE = "merge"
REMEDY_MINIMUM = "minimum"
REMEDY_SET_ASIDE = "set_aside"
REMEDIES = (REMEDY_MERGE, REMEDY_MINIMUM, REMEDY_SET_ASIDE)


def _largest_kept_apart_set(people: set[int], kept_apart: Iterable[tuple[int, int]]) -> int:
    """How many of `people` are pairwise kept apart, greedily (a lower bound on the
    groups they need, as the engine's own necessary check)."""
    neighbours: dict[int, set[int]] = defaultdict(set)
    for a, b in kept_apart:
        if a in people and b in people:
            neighbours[a].add(b)
            neighbours[b].add(a)
    best = 1 if people else 0
    for start in sorted(neighbours, key=lambda u: -len(neighbours[u]))[:50]:
        chosen = [start]
        for other in sorted(neighbours[start], key=lambda u: -len(neighbours[u])):
            if all(other in neighbours[c] for c in chosen):
                chosen.append(other)
        best = max(best, len(chosen))
    return best


def _groups_possible(n: int, low: int, high: int) -> range:
    """How many groups of low..high people n people can fill (empty: none)."""
    return range(max(1, ceil(n / high)), n // low + 1)


def _why(n: int, low: int, high: int, apart: int) -> tuple[str, int | None] | None:
    """The reason n people cannot be grouped, and the smallest group that would let
    them be (None when lowering it does not help)."""
    possible = _groups_possible(n, low, high)
    people = count_of(n, "person", "people")
    kept_apart = (
        f"{apart} of them must be kept apart from each other (reporting lines, competitors "
        "or personal requests)"
    )
    if n < low:
        reason = f"{people}, fewer than the smallest group ({low})"
    elif not possible:
        reason = f"{people}, who cannot be split into groups of {low} to {high}"
    elif apart > possible[-1]:
        reason = (
            f"{people}, and {kept_apart}: they need {apart} groups, and {n} people fill at "
            f"most {count_of(possible[-1], 'group')} of {low} or more"
        )
    else:
        return None
    if apart > 1 and (n < low or not possible):
        reason += f"; and {kept_apart}"
    # The smallest group that lets them form enough groups for everyone kept apart.
    smaller = n // max(apart, ceil(n / high))
    return reason, smaller if smaller >= MIN_GROUP_SIZE else None


def formation_diagnose(
    *,
    people: Iterable[tuple[int, dict]],
    kept_apart: Iterable[tuple[int, int]],
    parameters: Parameters,
) -> list[dict]:
    """What keeps the run from being formed, one entry per segment (or one for the run):
    {"segment", "people", "reason", "remedies": [{"remedy", "label", "value"}]}.

    `people` are (user id, attributes) of the run's snapshot.
    """
    kept_apart = list(kept_apart)
    low, high = parameters.min_size, parameters.fill_size
    parts: dict[str, set[int]] = defaultdict(set)
    for user_id, attributes in people:
        parts[parameters.segment_of(attributes) if parameters.segment else ""].add(user_id)
    kind = ATTRIBUTES[parameters.segment][0].lower() if parameters.segment else ""
    found = []
    for label, members in parts.items():
        apart = _largest_kept_apart_set(members, kept_apart)
        why = _why(len(members), low, high, apart)
        if why is None:
            continue
        reason, smaller = why
        where = f"The {kind} “{label}”" if label else "This run"
        found.append(
            {
                "segment": label,
                "people": len(members),
                "reason": f"{where} has {reason}.",
                "smaller": smaller,
            }
        )
    stuck = {entry["segment"] for entry in found}
    for entry in found:
        entry["remedies"] = _remedies(entry, parts, stuck, kept_apart, parameters, kind)
        del entry["smaller"]
    return sorted(found, key=lambda entry: (entry["segment"] or "").casefold())


def _remedies(entry, parts, stuck, kept_apart, parameters: Parameters, kind: str) -> list[dict]:
    low, high = parameters.min_size, parameters.fill_size
    label = entry["segment"]
    remedies = []
    if label:
        # Merge every segment that cannot be grouped (or, alone, with the smallest other
        # segment) into mixed groups, where the merged people can be grouped.
        merged = sorted(stuck)
        if len(merged) == 1:
            others = sorted((len(m), name) for name, m in parts.items() if name not in stuck)
            merged += [others[0][1]] if others else []
        together = set().union(*(parts[name] for name in merged))
        if (
            len(merged) > 1
            and _why(len(together), low, high, _largest_kept_apart_set(together, kept_apart))
            is None
        ):
            remedies.append(
                {
                    "remedy": REMEDY_MERGE,
                    "label": f"Form mixed groups of the people of {_names(merged)}",
                    "value": merged,
                }
            )
    if entry["smaller"] is not None and entry["smaller"] < low:
        remedies.append(
            {
                "remedy": REMEDY_MINIMUM,
                "label": f"Form again with groups of at least {entry['smaller']} (every group of "
                "the run)",
                "value": entry["smaller"],
            }
        )
    if label and len(parts) > 1:
        remedies.append(
            {
                "remedy": REMEDY_SET_ASIDE,
                "label": f"Form the others now and place the {count_of(entry['people'], 'person', 'people')} "
                f"of {kind} “{label}” later",
                "value": [label],
            }
        )
    return remedies


def _names(labels: list[str]) -> str:
    quoted = [f"“{label}”" for label in labels]
    return ", ".join(quoted[:-1]) + f" and {quoted[-1]}" if len(quoted) > 1 else quoted[0]
