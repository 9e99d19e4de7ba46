"""Commitment reminders: before the due date and when overdue, by preference, never twice,
with one-click check-in links; partners nudged on overdue commitments."""

import re
from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError

from peergroups.accounts.models import NotificationChoice, NotificationKind
from peergroups.accounts.notifications import notification_choice_set
from peergroups.goals import services
from peergroups.goals.models import GoalReminderSent
from peergroups.goals.tasks import goal_reminders_send_now

DUE = date(2027, 1, 12)  # a Tuesday
SUNDAY_BEFORE = datetime(2027, 1, 10, 9, tzinfo=UTC)
DAY_AFTER = datetime(2027, 1, 13, 9, tzinfo=UTC)  # Wednesday
MONDAY_AFTER = datetime(2027, 1, 18, 9, tzinfo=UTC)


def links(message) -> list[str]:
    return re.findall(r"http://\S+/check-in/\S+/", message.body)


def test_due_soon_reminder_goes_once_with_a_check_in_link(commit, frozen):
    commitment = commit(DUE)
    frozen.move_to(SUNDAY_BEFORE)
    assert goal_reminders_send_now() == 1
    assert goal_reminders_send_now() == 0  # never twice for the same stage
    (message,) = mail.outbox
    assert message.to == ["mia@acme.test"]
    assert commitment.text in message.body
    assert links(message)


def test_overdue_without_check_in_gets_a_second_reminder_but_a_checked_in_one_does_not(
    commit, frozen
):
    open_one = commit(DUE, text="Still open.")
    commit(DUE, outcome="done", text="Checked in.")
    frozen.move_to(DAY_AFTER)
    assert goal_reminders_send_now() == 1
    assert "Still open." in mail.outbox[0].body
    assert "Checked in." not in mail.outbox[0].body
    assert GoalReminderSent.objects.get().stage == "overdue"
    assert GoalReminderSent.objects.get().commitment == open_one


def test_no_reminder_far_ahead(commit, frozen):
    commit(date(2027, 2, 9))
    frozen.move_to(SUNDAY_BEFORE)
    assert goal_reminders_send_now() == 0


def test_the_database_refuses_a_second_reminder_row(commit):
    commitment = commit(DUE)
    GoalReminderSent.objects.create(commitment=commitment, stage="due_soon", user=commitment.member)
    with pytest.raises(IntegrityError):
        GoalReminderSent.objects.create(
            commitment=commitment, stage="due_soon", user=commitment.member
        )


def test_off_means_no_reminders(accepted, commit, frozen):
    notification_choice_set(
        user=accepted.member,
        kind=NotificationKind.COMMITMENT_REMINDER,
        choice=NotificationChoice.OFF,
        organization_id=accepted.organization.pk,
    )
    commit(DUE)
    frozen.move_to(SUNDAY_BEFORE)
    assert goal_reminders_send_now() == 0
    assert mail.outbox == []


def test_weekly_digest_is_one_e_mail_on_monday_listing_all(accepted, commit, frozen):
    notification_choice_set(
        user=accepted.member,
        kind=NotificationKind.COMMITMENT_REMINDER,
        choice=NotificationChoice.WEEKLY_DIGEST,
        organization_id=accepted.organization.pk,
    )
    commit(date(2027, 1, 14), text="First thing.")
    commit(date(2027, 1, 19), text="Second thing.")
    frozen.move_to(DAY_AFTER)  # a Wednesday: the digest waits for Monday
    assert goal_reminders_send_now() == 0
    frozen.move_to(MONDAY_AFTER)
    assert goal_reminders_send_now() == 1
    (message,) = mail.outbox
    assert "First thing." in message.body and "Second thing." in message.body
    assert len(set(links(message))) == 2  # one link per commitment (plus its done shortcut)
    assert goal_reminders_send_now() == 0


def test_partners_are_nudged_when_a_commitment_is_overdue(accepted, commit, frozen):
    services.partners_assign(group=accepted.group, cycle=1, seed=1)
    commit(DUE, text="Ring the supplier.")
    frozen.move_to(DAY_AFTER)
    assert goal_reminders_send_now() == 2
    nudge = next(m for m in mail.outbox if m.to == ["max@acme.test"])
    assert "accountability partner" in nudge.subject
    assert "Ring the supplier." in nudge.body
    assert not links(nudge)  # a partner cannot check in for Mia


def test_partner_without_the_agreement_gets_no_text(accepted, commit, frozen):
    from peergroups.meetings import services as meetings

    services.partners_assign(group=accepted.group, cycle=1, seed=1)
    commit(DUE, text="Ring the supplier.")
    meetings.agreement_publish(group=accepted.group, text="v2", acting_user=accepted.facilitator)
    frozen.move_to(DAY_AFTER)
    goal_reminders_send_now()
    nudge = next(m for m in mail.outbox if m.to == ["max@acme.test"])
    assert "Ring the supplier." not in nudge.body


def test_a_failed_send_is_retried_next_run(commit, frozen, monkeypatch):
    from peergroups.goals import tasks

    commit(DUE)
    frozen.move_to(SUNDAY_BEFORE)
    real = tasks._send

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(tasks, "_send", broken)
    assert goal_reminders_send_now() == 0
    assert not GoalReminderSent.objects.exists()
    monkeypatch.setattr(tasks, "_send", real)
    assert goal_reminders_send_now() == 1


def test_command_queues_the_task_for_a_worker(commit, frozen, run_tasks):
    commit(DUE)
    frozen.move_to(SUNDAY_BEFORE)
    call_command("send_goal_reminders")
    assert mail.outbox == []
    run_tasks()
    assert len(mail.outbox) == 1


def test_command_now_sends_in_process(commit, frozen, capsys):
    commit(DUE)
    frozen.move_to(SUNDAY_BEFORE)
    call_command("send_goal_reminders", "--now")
    assert "1 goal reminder sent." in capsys.readouterr().out
