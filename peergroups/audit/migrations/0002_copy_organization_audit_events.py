"""Copy the rows of the old organizations.AuditEvent into the audit log, keeping every one."""

from django.db import migrations


def copy_events(apps, schema_editor):
    AuditEvent = apps.get_model("organizations", "AuditEvent")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditEntry.objects.bulk_create(
        (
            AuditEntry(
                organization_id=event.organization_id,
                actor_id=event.acting_user_id,
                action=event.action,
                after=event.detail or {},
                created_at=event.created_at,
            )
            for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=1000)
        ),
        batch_size=1000,
    )


def copy_back(apps, schema_editor):
    AuditEvent = apps.get_model("organizations", "AuditEvent")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditEvent.objects.bulk_create(
        (
            AuditEvent(
                organization_id=entry.organization_id,
                acting_user_id=entry.actor_id,
                action=entry.action,
                detail=entry.after,
                created_at=entry.created_at,
            )
            for entry in AuditEntry.objects.filter(organization__isnull=False).order_by("pk")
        ),
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("organizations", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy_events, copy_back)]
