"""Names for new groups from what their members share: "Boston · Biotech".

A value names the group when more than half of its members share it; a group that
shares neither region nor industry keeps the plain "Group N".
"""

from collections import Counter
from collections.abc import Iterable, Mapping

NAME_PARTS = ("region", "industry")
SEPARATOR = " · "


def _shared(values: list[str]) -> str:
    """The value more than half hold, compared without case or extra spaces."""
    cleaned = [" ".join(value.split()) for value in values if value and value.strip()]
    if not cleaned:
        return ""
    counts = Counter(value.casefold() for value in cleaned)
    key, count = counts.most_common(1)[0]
    if count * 2 <= len(values):
        return ""
    # Show the spelling most members used.
    spellings = Counter(value for value in cleaned if value.casefold() == key)
    return spellings.most_common(1)[0][0]


def group_name_suggest(people: Iterable[Mapping]) -> str:
    """A name from the attributes most members share, or "" when they share none."""
    people = list(people)
    parts = [_shared([str(p.get(name) or "") for p in people]) for name in NAME_PARTS]
    return SEPARATOR.join(part for part in parts if part)


def group_names_assign(suggestions: list[str], taken: set[str]) -> list[str]:
    """One unique name per group: the suggestion ("Boston · Biotech", then
    "Boston · Biotech 2"), or the next free "Group N" when there is none."""
    taken = {name.casefold() for name in taken}
    names = []
    number = len(taken)
    for suggestion in suggestions:
        if suggestion:
            name, n = suggestion, 1
            while name.casefold() in taken:
                n += 1
                name = f"{suggestion} {n}"
        else:
            number += 1
            while f"group {number}" in taken:
                number += 1
            name = f"Group {number}"
        taken.add(name.casefold())
        names.append(name)
    return names
