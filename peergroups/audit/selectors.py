"""Reads of the audit log. The caller has checked that the viewer is an admin."""

from datetime import date, datetime, time, timedelta
from itertools import islice

from django.db.models import QuerySet
from django.utils import timezone

from peergroups.audit.models import AuditEntry
from peergroups.audit.naming import (
    KIND_OF_VALUE,
    audit_names,
    audit_object_words,
    audit_value_words,
)
from peergroups.formats import csv_text


def audit_entries(
    *,
    organization,
    action: str = "",
    actor_id: int | None = None,
    object_type: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    """The organization's log, newest first, filtered."""
    entries = AuditEntry.objects.filter(organization=organization).select_related("actor")
    if action:
        entries = entries.filter(action=action)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if object_type:
        entries = entries.filter(object_type=object_type)
    zone = timezone.get_current_timezone()
    if since:
        entries = entries.filter(created_at__gte=datetime.combine(since, time.min, zone))
    if until:
        end = datetime.combine(until + timedelta(days=1), time.min, zone)
        entries = entries.filter(created_at__lt=end)
    return entries.order_by("-created_at", "-pk")


def audit_actions(*, organization) -> list[str]:
    return list(
        AuditEntry.objects.filter(organization=organization)
        .values_list("action", flat=True)
        .distinct()
        .order_by("action")
    )


CSV_COLUMNS = [
    "time",
    "actor",
    "action",
    "object",
    "object_type",
    "object_id",
    "before",
    "after",
]
CSV_CHUNK = 500  # entries named per round of queries (a query per kind of object)


def _actor_words(entry) -> str:
    """Who acted, as the log page names them; nobody behind a withheld (anonymous) act."""
    if entry.actor_withheld:
        return "withheld"
    if entry.actor is None:
        return "system"
    actor = entry.actor
    return f"{actor.full_name} ({actor.email})" if actor.full_name else actor.email


def _values_words(entry, values: dict, names: dict) -> str:
    import json

    if entry.actor_withheld:
        # An anonymous act names nobody, in its values either.
        named = {
            key: "withheld" if KIND_OF_VALUE.get(key) == "user" else value
            for key, value in values.items()
        }
    else:
        named = {key: audit_value_words(key, value, names) for key, value in values.items()}
    return json.dumps(named, sort_keys=True, ensure_ascii=False)


def audit_csv(entries: QuerySet[AuditEntry]) -> str:
    """The log as CSV, naming people and groups as the page does (`audit.naming`): the
    object and every id value in words, the ids kept beside them for spreadsheets."""

    def rows():
        iterator = entries.iterator(chunk_size=CSV_CHUNK)
        while chunk := list(islice(iterator, CSV_CHUNK)):
            names = audit_names(chunk)
            for entry in chunk:
                yield [
                    entry.shown_time,
                    _actor_words(entry),
                    entry.action,
                    audit_object_words(entry, names),
                    entry.object_type,
                    entry.object_id,
                    _values_words(entry, entry.before, names),
                    _values_words(entry, entry.after, names),
                ]

    return csv_text(CSV_COLUMNS, rows())
