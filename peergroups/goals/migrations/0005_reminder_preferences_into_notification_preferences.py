"""One preference model (issue 22): every commitment-reminder choice (each, weekly
digest, off) moves from goals' ReminderPreference into accounts' NotificationPreference
as kind "commitment_reminder" for the same person and organization, with when it was
made; no one's choice is lost (goals/tests/test_migration.py).

The model leaves the code's state here, but its table stays, emptied and without its
foreign-key constraints: the previous release still queries it while this one migrates
(tests/test_upgrades.py) and reads no row as "each", the default, for those minutes. No
model of this release knows the table, so nothing of it may point at people or
organizations: deleting one (or PostgreSQL's TRUNCATE in a flush) would trip over it.
The next release drops the table.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

KIND = "commitment_reminder"


def forwards(apps, schema_editor):
    ReminderPreference = apps.get_model("goals", "ReminderPreference")
    NotificationPreference = apps.get_model("accounts", "NotificationPreference")
    for old in ReminderPreference.objects.all().iterator(chunk_size=1000):
        NotificationPreference.objects.update_or_create(
            user_id=old.user_id,
            organization_id=old.organization_id,
            kind=KIND,
            defaults={"choice": old.frequency, "created_at": old.updated_at},
        )
    ReminderPreference.objects.all().delete()


def backwards(apps, schema_editor):
    ReminderPreference = apps.get_model("goals", "ReminderPreference")
    NotificationPreference = apps.get_model("accounts", "NotificationPreference")
    for new in NotificationPreference.objects.filter(
        kind=KIND, organization__isnull=False
    ).iterator(chunk_size=1000):
        ReminderPreference.objects.update_or_create(
            user_id=new.user_id,
            organization_id=new.organization_id,
            defaults={"frequency": new.choice, "updated_at": new.created_at},
        )
    NotificationPreference.objects.filter(kind=KIND).delete()


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("goals", "0004_checkin_latest_index"),
        ("accounts", "0004_notification_choice_per_organization"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ReminderPreference")],
            database_operations=[
                migrations.AlterField(
                    model_name="reminderpreference",
                    name=name,
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=to,
                    ),
                )
                for name, to in (
                    ("organization", "organizations.organization"),
                    ("user", settings.AUTH_USER_MODEL),
                )
            ],
        ),
    ]
