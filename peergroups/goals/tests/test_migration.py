"""Migrations keep every row: the commitment backfill, Commitment's move from meetings
to goals (with its check-ins, reminders and links), and the defaults of existing groups."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_commitments_are_backfilled_with_their_meetings_group(cast):
    old = migrate([("meetings", "0001_initial")])
    Meeting = old.get_model("meetings", "Meeting")
    Commitment = old.get_model("meetings", "Commitment")
    starts = datetime(2027, 1, 12, 13, tzinfo=UTC)
    meeting = Meeting.objects.create(
        group_id=cast.group.pk, starts_at=starts, ends_at=starts + timedelta(hours=4), uid="m@x"
    )
    commitment = Commitment.objects.create(meeting=meeting, member_id=cast.member.pk, text="Old.")

    migrate_to_latest()

    from peergroups.goals.models import Commitment as Current

    assert Current.objects.get(pk=commitment.pk).group_id == cast.group.pk


@pytest.mark.django_db(transaction=True)
def test_commitments_move_to_goals_with_their_check_ins_reminders_and_links(cast):
    old = migrate([("meetings", "0005_issue_category_keys"), ("goals", "0001_initial")])
    Commitment = old.get_model("meetings", "Commitment")
    CheckIn = old.get_model("goals", "CommitmentCheckIn")
    Reminder = old.get_model("goals", "GoalReminderSent")
    Token = old.get_model("goals", "CheckInToken")
    made = [
        Commitment.objects.create(group_id=cast.group.pk, member_id=cast.member.pk, text=text)
        for text in ("Call the bank.", "Fix the rota.")
    ]
    CheckIn.objects.create(commitment=made[0], status="partly", note="Half.")
    Reminder.objects.create(commitment=made[1], stage="due_soon", user_id=cast.member.pk)
    Token.objects.create(
        commitment=made[1], token_hash="h" * 64, expires_at=datetime(2030, 1, 1, tzinfo=UTC)
    )

    migrate_to_latest()

    from peergroups.goals.models import CheckInToken, Commitment, GoalReminderSent

    moved = {c.pk: c for c in Commitment.objects.all()}
    assert {pk: c.text for pk, c in moved.items()} == {
        made[0].pk: "Call the bank.",
        made[1].pk: "Fix the rota.",
    }
    assert moved[made[0].pk].check_ins.get().note == "Half."
    assert GoalReminderSent.objects.get().commitment_id == made[1].pk
    assert CheckInToken.objects.get().commitment_id == made[1].pk
    tables = connection.introspection.table_names()
    assert "goals_commitment" in tables and "meetings_commitment" not in tables
    # New rows continue the ids (the sequence came along with the table).
    fresh = Commitment.objects.create(group=cast.group, member=cast.member, text="New.")
    assert fresh.pk > max(moved)


@pytest.mark.django_db(transaction=True)
def test_existing_groups_get_the_default_protocol_and_agreement(cast):
    old = migrate([("meetings", "0007_issue_idempotency_key")])
    PeerGroup = old.get_model("groups", "PeerGroup")
    bare = PeerGroup.objects.create(
        organization_id=cast.organization.pk, program_id=cast.program.pk, name="Group C"
    )

    migrate_to_latest()

    from peergroups.groups.models import PeerGroup as Current

    bare = Current.objects.get(pk=bare.pk)
    assert [s.kind for s in bare.agenda_steps.all()][:2] == ["checkin", "issues"]
    assert list(bare.agreements.values_list("version", flat=True)) == [1]
    # Groups that had their defaults keep them, once.
    assert cast.group.agenda_steps.count() == 5
    assert cast.group.agreements.count() == 1
