"""goals.Commitment gets its own table name and index names (a rename: rows stay),
and a one-time key per create form so a double submit makes one commitment."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0002_commitment_from_meetings"),
        ("meetings", "0006_commitment_moved_to_goals"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelTable(name="commitment", table=None),
        migrations.RenameIndex(
            model_name="commitment",
            new_name="commitment_group_due_idx",
            old_name="meetings_co_group_i_76b9b3_idx",
        ),
        migrations.RenameIndex(
            model_name="commitment",
            new_name="commitment_member_due_idx",
            old_name="meetings_co_member__d98026_idx",
        ),
        migrations.AddField(
            model_name="commitment",
            name="idempotency_key",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddConstraint(
            model_name="commitment",
            constraint=models.UniqueConstraint(
                condition=models.Q(idempotency_key__isnull=False),
                fields=("created_by", "idempotency_key"),
                name="commitment_made_once",
            ),
        ),
    ]
