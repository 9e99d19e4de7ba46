"""Commitment moves from meetings to goals, keeping every row.

State only: goals.Commitment is declared on the existing table `meetings_commitment`,
and the check-ins, reminders and check-in links point at it. meetings 0006 then drops
meetings.Commitment from the state (not the table), and goals 0003 renames the table.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0001_initial"),
        ("groups", "0001_initial"),
        ("meetings", "0005_issue_category_keys"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Commitment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("text", models.TextField()),
                        ("due_on", models.DateField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "member",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="meeting_commitments",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "group",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="commitments",
                                to="groups.peergroup",
                            ),
                        ),
                        (
                            "issue",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="commitments",
                                to="meetings.issue",
                            ),
                        ),
                        (
                            "meeting",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="commitments",
                                to="meetings.meeting",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["created_at", "pk"],
                        "db_table": "meetings_commitment",
                        "indexes": [
                            models.Index(
                                fields=["group", "due_on"], name="meetings_co_group_i_76b9b3_idx"
                            ),
                            models.Index(
                                fields=["member", "due_on"], name="meetings_co_member__d98026_idx"
                            ),
                        ],
                    },
                ),
                migrations.AlterField(
                    model_name="commitmentcheckin",
                    name="commitment",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="check_ins",
                        to="goals.commitment",
                    ),
                ),
                migrations.AlterField(
                    model_name="goalremindersent",
                    name="commitment",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="goals.commitment",
                    ),
                ),
                migrations.AlterField(
                    model_name="checkintoken",
                    name="commitment",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="goals.commitment",
                    ),
                ),
            ],
        ),
    ]
