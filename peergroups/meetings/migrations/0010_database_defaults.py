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
        ("meetings", "0009_series_interval"),
    ]

    operations = [
        migrations.AlterField(
            model_name="meetingseries",
            name="interval",
            field=models.PositiveSmallIntegerField(
                choices=[
                    (1, "Every month"),
                    (2, "Every two months"),
                    (3, "Every three months (quarterly)"),
                    (6, "Every six months"),
                ],
                db_default=1,
                default=1,
            ),
        ),
    ]
