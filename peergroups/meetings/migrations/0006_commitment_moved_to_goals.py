"""Commitment now lives in goals (goals 0002 took over its table); state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0005_issue_category_keys"),
        ("goals", "0002_commitment_from_meetings"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="Commitment")],
        ),
    ]
