import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_commitment_group_backfill")]

    operations = [
        migrations.AlterField(
            model_name="commitment",
            name="group",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="commitments",
                to="groups.peergroup",
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(fields=["group", "due_on"], name="meetings_co_group_i_76b9b3_idx"),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(fields=["member", "due_on"], name="meetings_co_member__d98026_idx"),
        ),
    ]
