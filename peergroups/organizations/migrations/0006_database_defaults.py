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
        ("organizations", "0005_invitation_reminded_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="invitation",
            name="full_name",
            field=models.CharField(blank=True, db_default="", max_length=150),
        ),
        migrations.AlterField(
            model_name="invitation",
            name="intake",
            field=models.JSONField(blank=True, db_default={}, default=dict),
        ),
        migrations.AlterField(
            model_name="invitation",
            name="token_salt",
            field=models.CharField(blank=True, db_default="", max_length=32),
        ),
        migrations.AlterField(
            model_name="program",
            name="open_seats",
            field=models.PositiveSmallIntegerField(
                db_default=0,
                default=0,
                help_text="Seats each new group keeps free for members who join later.",
            ),
        ),
    ]
