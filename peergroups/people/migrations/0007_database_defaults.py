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
        ("people", "0006_category_function"),
    ]

    operations = [
        migrations.AlterField(
            model_name="memberprofile",
            name="sort_name",
            field=models.CharField(blank=True, db_default="", editable=False, max_length=150),
        ),
    ]
