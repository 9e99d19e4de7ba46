"""Commitments get their own group (so a member can commit outside a meeting).

Three steps so PostgreSQL never mixes schema changes and row updates in one
transaction: add the column nullable, backfill it from the meeting, then require it.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0001_initial"),
        ("meetings", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="commitment",
            name="group",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="commitments",
                to="groups.peergroup",
            ),
        ),
        migrations.AlterField(
            model_name="commitment",
            name="meeting",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="commitments",
                to="meetings.meeting",
            ),
        ),
    ]
