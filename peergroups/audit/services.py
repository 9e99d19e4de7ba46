"""`audit_record`: the one way to write to the audit log (and `audit_record_many`, the
same for a bulk write). Every row says what changed from what: `before` and `after`."""

from datetime import date, datetime
from decimal import Decimal

from django.db import models

from peergroups.audit.models import AuditEntry

# An audit value is an id, a role, a state, a count, a date or a short name: anything
# longer is likely to be someone's words (an issue, a note), which the log never keeps.
MAX_VALUE_LENGTH = 200


def _plain(value, where: str):
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str):
        if len(value) > MAX_VALUE_LENGTH:
            raise ValueError(
                f"audit value {where} is {len(value)} characters long; the audit log keeps "
                "ids, states and short labels, never free text"
            )
        return value
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_plain(item, where) for item in items]
    raise TypeError(f"audit value {where} has the type {type(value).__name__}")


def _values(values: dict, name: str) -> dict:
    if not isinstance(values, dict):
        raise TypeError(f"audit {name} must be a dict of what changed, not {values!r}")
    return {key: _plain(value, f"{name}.{key}") for key, value in values.items()}


def audit_record(
    *,
    organization,
    actor,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: int | str | None = None,
    before: dict,
    after: dict,
    actor_withheld: bool = False,
) -> AuditEntry:
    """Write one audit row: who (`actor`, None for the system) did `action` to what.

    `target` names the object (its model name and primary key), or pass `object_type`
    and `object_id`. `before` and `after` hold the values that changed, as they were and
    as they are: both are required, so every write says what it changed from (`{}` for
    something that did not exist before, or for an `after` that left nothing). They may be ids,
    roles, states, counts, dates and short labels, never free text (a string over
    MAX_VALUE_LENGTH characters raises ValueError, so a mistake fails in the tests).
    Call it inside the service's transaction so the row and the change commit together.

    `actor_withheld`: the organization's admins may not learn who did this, because they
    could not see it on the object's own page (an anonymous question, anything inside a
    group). No actor is stored, and the log shows the row's day, not its minute.
    """
    entry = _entry(organization, actor, action, target, object_type, object_id, before, after)
    if actor_withheld:
        entry.actor_id = None
        entry.actor_withheld = True
    entry.save()
    return entry


def audit_record_many(*, organization, actor, action: str, rows: list[dict]) -> int:
    """Write many audit rows of one action at once (a bulk write such as publishing a
    formation): each of `rows` holds `audit_record`'s `target`, `object_type`,
    `object_id`, and the required `before` and `after`; values are checked the same way.
    Returns the count."""
    entries = [
        _entry(
            organization,
            actor,
            action,
            row.get("target"),
            row.get("object_type", ""),
            row.get("object_id"),
            row["before"],
            row["after"],
        )
        for row in rows
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)


def _entry(organization, actor, action, target, object_type, object_id, before, after):
    if target is not None:
        object_type = object_type or target._meta.model_name
        object_id = target.pk
    return AuditEntry(
        organization_id=getattr(organization, "pk", organization),
        actor_id=getattr(actor, "pk", actor),
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        before=_values(before, "before"),
        after=_values(after, "after"),
    )
