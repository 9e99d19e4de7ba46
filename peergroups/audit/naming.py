"""Names for what the audit log shows: people and groups by name, never a bare id.

The audit app sits below the apps whose objects it records, so it imports none of them:
they register how to name their kinds (`audit_namer`), and the log page asks
`audit_names` for the names of one page of entries, a query per kind.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.utils.translation import gettext

# kind -> function(ids) -> {id: name}; registered by the apps above (dashboards.audit_names).
_NAMERS: dict[str, Callable[[set[int]], dict[int, str]]] = {}
# How entries spell a kind: the object type a row was written with -> the kind it names.
KIND_OF_TYPE = {"peergroup": "group", "formationrun": "run", "apitoken": "token"}
# `before`/`after` values that are ids of a kind.
KIND_OF_VALUE = {"user": "user", "facilitator": "user", "group": "group", "group_id": "group"}
KIND_OF_VALUE |= {"program": "program", "into_group": "group", "from_group": "group"}


def audit_namer(kind: str):
    """Register how to name one kind of object (ids -> names) for the audit log."""

    def register(namer: Callable[[set[int]], dict[int, str]]):
        _NAMERS[kind] = namer
        return namer

    return register


def _ids(value) -> list[int]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, str) and value.isdigit():
        return [int(value)]
    if isinstance(value, list):
        return [i for item in value for i in _ids(item)]
    return []


def audit_names(entries: Iterable) -> dict[tuple[str, int], str]:
    """(kind, id) -> name for every object and id value of `entries` that has a namer."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        kind = KIND_OF_TYPE.get(entry.object_type, entry.object_type)
        if kind:
            wanted[kind].update(_ids(entry.object_id))
        for values in (entry.before, entry.after):
            for key, value in (values or {}).items():
                if key in KIND_OF_VALUE:
                    wanted[KIND_OF_VALUE[key]].update(_ids(value))
    names: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        namer = _NAMERS.get(kind)
        if namer and ids:
            names.update({(kind, i): name for i, name in namer(ids).items()})
    return names


def audit_object_words(entry, names: dict) -> str:
    """What an entry changed, in words: "group “Boston 1”", "Dana Lee", "a deleted group"."""
    if not entry.object_type:
        return "—"
    kind = KIND_OF_TYPE.get(entry.object_type, entry.object_type)
    ids = _ids(entry.object_id)
    label = kind.replace("profile", " profile").replace("_", " ")
    if not ids:
        return label
    name = names.get((kind, ids[0]))
    return name if name is not None else gettext("a %(kind)s no longer here") % {"kind": label}


def audit_value_words(key: str, value, names: dict):
    """A before/after value as the log shows it: an id of a kind becomes its name."""
    kind = KIND_OF_VALUE.get(key)
    if kind is None:
        return value
    ids = _ids(value)
    if not ids:
        return value
    words = [names.get((kind, i), f"a {kind} no longer here") for i in ids]
    return ", ".join(words)
