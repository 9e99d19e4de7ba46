"""Fill Commitment.group from the meeting it was made in."""

from django.db import migrations, models


def backfill_group(apps, schema_editor):
    Commitment = apps.get_model("meetings", "Commitment")
    Meeting = apps.get_model("meetings", "Meeting")
    Commitment.objects.filter(group__isnull=True).update(
        group_id=models.Subquery(
            Meeting.objects.filter(pk=models.OuterRef("meeting_id")).values("group_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_commitment_group")]

    operations = [migrations.RunPython(backfill_group, migrations.RunPython.noop)]
