"""One audit function (issue 22): rows written by the older `audit()` named their object
by the first `<kind>_id` ("group", "run") and their person as `user_id`; `audit_record`
names an object by its model ("peergroup", "formationrun") and a person as `user`. The
old rows are rewritten the new way, so one filter finds a kind's rows from before and
after, and the log names the person on the old rows too."""

from django.db import migrations

OLD_TYPES = {"group": "peergroup", "run": "formationrun"}


def forwards(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    for old, new in OLD_TYPES.items():
        AuditEntry.objects.filter(object_type=old).update(object_type=new)
    renamed = []
    for entry in AuditEntry.objects.filter(after__has_key="user_id").only("after"):
        after = dict(entry.after)
        if "user" not in after:
            after["user"] = after.pop("user_id")
            entry.after = after
            renamed.append(entry)
    AuditEntry.objects.bulk_update(renamed, ["after"], batch_size=1000)


def backwards(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    for old, new in OLD_TYPES.items():
        AuditEntry.objects.filter(object_type=new).update(object_type=old)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_actor_withheld"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
