"""Reads of the audit log. The caller has checked that the viewer is an admin."""

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from peergroups.audit.models import AuditEntry
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


CSV_COLUMNS = ["time", "actor", "action", "object_type", "object_id", "before", "after"]


def audit_csv(entries: QuerySet[AuditEntry]) -> str:
    import json

    rows = (
        [
            entry.shown_time,
            entry.actor_label,
            entry.action,
            entry.object_type,
            entry.object_id,
            json.dumps(entry.before, sort_keys=True),
            json.dumps(entry.after, sort_keys=True),
        ]
        for entry in entries.iterator(chunk_size=500)
    )
    return csv_text(CSV_COLUMNS, rows)
