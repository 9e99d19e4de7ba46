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


@pytest.mark.django_db(transaction=True)
def test_reminder_preferences_move_into_the_one_preference_model_losing_no_choice(cast):
    """goals 0005: each ReminderPreference (each, weekly digest, off; per organization)
    becomes a NotificationPreference of kind commitment_reminder, beside the account's
    on/off rows, which stay as they were; and back again."""
    from peergroups.organizations.models import Organization

    other = Organization.objects.create(name="Globex Two", slug="globex-two")
    old = migrate(
        [("goals", "0004_checkin_latest_index"), ("accounts", "0003_notification_preference")]
    )
    Reminder = old.get_model("goals", "ReminderPreference")
    Off = old.get_model("accounts", "NotificationPreference")
    made_at = datetime(2026, 3, 1, 9, tzinfo=UTC)
    for user, organization, frequency in (
        (cast.member, cast.organization, "weekly_digest"),
        (cast.member, other, "off"),
        (cast.member2, cast.organization, "each"),
    ):
        Reminder.objects.create(
            user_id=user.pk,
            organization_id=organization.pk,
            frequency=frequency,
            updated_at=made_at,
        )
    Off.objects.create(user_id=cast.member.pk, kind="meeting_change")

    migrate_to_latest()

    from peergroups.accounts.models import NotificationKind, NotificationPreference
    from peergroups.accounts.notifications import notification_choice

    kind = NotificationKind.COMMITMENT_REMINDER
    rows = NotificationPreference.objects.filter(kind=kind)
    assert {(r.user_id, r.organization_id, r.choice, r.created_at) for r in rows} == {
        (cast.member.pk, cast.organization.pk, "weekly_digest", made_at),
        (cast.member.pk, other.pk, "off", made_at),
        (cast.member2.pk, cast.organization.pk, "each", made_at),
    }
    choice = notification_choice(user=cast.member, kind=kind, organization_id=other.pk)
    assert choice == "off"
    kept = NotificationPreference.objects.get(kind=NotificationKind.MEETING_CHANGE)
    assert (kept.user_id, kept.organization_id, kept.choice) == (cast.member.pk, None, "off")

    back = migrate([("goals", "0004_checkin_latest_index")])
    Reminder = back.get_model("goals", "ReminderPreference")
    assert set(Reminder.objects.values_list("user_id", "organization_id", "frequency")) == {
        (cast.member.pk, cast.organization.pk, "weekly_digest"),
        (cast.member.pk, other.pk, "off"),
        (cast.member2.pk, cast.organization.pk, "each"),
    }
    migrate_to_latest()
