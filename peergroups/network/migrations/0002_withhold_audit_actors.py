"""Withhold the doer of audit rows written before the rule (issue 21, row 1): every
question asked, and a group's own resources shared, edited or withdrawn. The admins'
log showed the asker's e-mail even for an anonymous question."""

from django.db import migrations


def withhold(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    Resource = apps.get_model("resources", "Resource")
    AuditEntry.objects.filter(action="question_ask").update(actor=None, actor_withheld=True)
    group_resources = [
        str(pk) for pk in Resource.objects.filter(scope="group").values_list("pk", flat=True)
    ]
    for start in range(0, len(group_resources), 500):
        AuditEntry.objects.filter(
            action__in=["resource_share", "resource_edit", "resource_withdraw"],
            object_type="resource",
            object_id__in=group_resources[start : start + 500],
        ).update(actor=None, actor_withheld=True)


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0001_initial"),
        ("resources", "0002_search_index"),
        ("audit", "0003_actor_withheld"),
    ]

    operations = [migrations.RunPython(withhold, migrations.RunPython.noop)]
