"""Database defaults for columns added in 0.1.x, so the previous release keeps working.

A process of the previous release, still serving while this one migrates, inserts rows
without the columns it does not know; with no database default such an insert fails
(NotNullViolation). The migrations that added these columns now add them with their
default too; this one gives the default to databases that applied them before.
PostgreSQL sets a column default without rewriting the table.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("formation", "0007_segment_tasks"),
    ]

    operations = [
        migrations.AlterField(
            model_name="formationrun",
            name="engine_version",
            field=models.CharField(blank=True, db_default="", max_length=40),
        ),
        migrations.AlterField(
            model_name="formationrun",
            name="part_iterations",
            field=models.JSONField(blank=True, db_default=[], default=list),
        ),
        migrations.AlterField(
            model_name="formationrun",
            name="parts_done",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.AlterField(
            model_name="formationrun",
            name="parts_total",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.AlterField(
            model_name="formationrun",
            name="publish_error",
            field=models.TextField(blank=True, db_default=""),
        ),
        migrations.AlterField(
            model_name="formationrun",
            name="publish_progress",
            field=models.FloatField(db_default=0.0, default=0.0),
        ),
        migrations.AlterField(
            model_name="formationrun",
            name="snapshot_facts",
            field=models.JSONField(blank=True, db_default={}, default=dict),
        ),
        migrations.AlterField(
            model_name="formationrun",
            name="stopped",
            field=models.CharField(
                blank=True, db_default="", help_text="budget, iterations, cancelled", max_length=20
            ),
        ),
    ]
