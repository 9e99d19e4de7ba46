"""E-mail reminders 24 hours ahead, with the agenda and an .ics; never twice."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from conftest import race
from peergroups.meetings import services
from peergroups.meetings.models import ReminderSent
from peergroups.meetings.tasks import reminders_send_now

from .conftest import issue_for

# 13:00 UTC on Monday 11 January: Group A's first meeting is 24 h away.
DAY_BEFORE = datetime(2027, 1, 11, 13, 30, tzinfo=UTC)


def test_reminders_go_once_to_each_member_and_the_facilitator(scheduled, meeting, frozen):
    frozen.move_to(DAY_BEFORE)
    assert reminders_send_now() == 3
    assert reminders_send_now() == 0  # the second run finds them all sent
    assert sorted(m.to[0] for m in mail.outbox) == [
        "fran@acme.test",
        "max@acme.test",
        "mia@acme.test",
    ]
    assert ReminderSent.objects.count() == 3


def test_reminder_has_agenda_and_a_valid_ics(scheduled, meeting, frozen):
    issue = issue_for(scheduled, title="Pricing the new tier")
    services.agenda_issues_pick(meeting=meeting, issues=[issue], acting_user=scheduled.facilitator)
    frozen.move_to(DAY_BEFORE)
    reminders_send_now()
    message = next(m for m in mail.outbox if m.to == ["mia@acme.test"])
    assert "Group A meets" in message.subject
    assert "Check-in round (30 min)" in message.body
    assert "- Pricing the new tier" in message.body
    assert "internal candidates" not in message.body  # titles only, never the situation
    assert "08:00" in message.body  # the group's zone (no intake yet)
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("meeting.ics", "text/calendar")
    (event,) = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert str(event["UID"]) == meeting.uid


def test_member_without_the_agreement_gets_no_issue_titles(scheduled, meeting, frozen):
    issue = issue_for(scheduled, title="Pricing the new tier")
    services.agenda_issues_pick(meeting=meeting, issues=[issue], acting_user=scheduled.facilitator)
    services.agreement_publish(group=scheduled.group, text="v2", acting_user=scheduled.facilitator)
    frozen.move_to(DAY_BEFORE)
    reminders_send_now()
    member = next(m for m in mail.outbox if m.to == ["mia@acme.test"])
    facilitator = next(m for m in mail.outbox if m.to == ["fran@acme.test"])
    assert "Pricing the new tier" not in member.body
    assert "Accept your group's confidentiality agreement" in member.body
    assert "Pricing the new tier" in facilitator.body


def test_no_reminder_for_cancelled_or_far_meetings(scheduled, meeting, frozen):
    services.meeting_cancel(meeting=meeting, acting_user=scheduled.facilitator)
    frozen.move_to(DAY_BEFORE)
    assert reminders_send_now() == 0
    frozen.move_to(DAY_BEFORE - timedelta(days=2))
    assert reminders_send_now() == 0
    assert mail.outbox == []


def test_a_closed_group_reminds_nobody_of_its_stored_meetings(scheduled, meeting, frozen):
    """Found by the simulated year: closing a group left its meetings reminding members."""
    from peergroups.groups.services import group_close
    from peergroups.organizations.access import organization_access

    access = organization_access(scheduled.admin, scheduled.organization.slug)
    group_close(access=access, acting_user=scheduled.admin, group=scheduled.group)
    frozen.move_to(DAY_BEFORE)
    assert reminders_send_now() == 0
    assert mail.outbox == []


def test_a_failed_send_is_retried_next_run(scheduled, meeting, frozen, monkeypatch):
    from peergroups.meetings import tasks

    frozen.move_to(DAY_BEFORE)
    real = tasks._send
    calls = []

    def flaky(meeting, person, *args):
        calls.append(person.email)
        if person.email == "mia@acme.test" and calls.count("mia@acme.test") == 1:
            raise ConnectionError("SMTP down")
        return real(meeting, person, *args)

    monkeypatch.setattr(tasks, "_send", flaky)
    assert reminders_send_now() == 2  # the others are not held up
    assert not ReminderSent.objects.filter(user=scheduled.member).exists()
    assert reminders_send_now() == 1
    assert sorted(m.to[0] for m in mail.outbox).count("mia@acme.test") == 1


# The worker closes its database connection when done; outside a test transaction
# that is harmless on PostgreSQL too.
@pytest.mark.django_db(transaction=True)
def test_command_queues_the_task_and_the_worker_sends(scheduled, meeting, frozen, run_tasks):
    frozen.move_to(DAY_BEFORE)
    call_command("send_meeting_reminders", verbosity=0)
    call_command("send_meeting_reminders", verbosity=0)
    run_tasks()
    assert len(mail.outbox) == 3


def test_command_now_sends_in_process(scheduled, meeting, frozen):
    frozen.move_to(DAY_BEFORE)
    call_command("send_meeting_reminders", "--now", verbosity=0)
    call_command("send_meeting_reminders", "--now", verbosity=0)
    assert len(mail.outbox) == 3


def test_reminders_do_not_extend_the_series(scheduled, frozen):
    before = scheduled.group.meetings.count()
    frozen.move_to(datetime(2027, 6, 1, tzinfo=UTC))
    reminders_send_now()
    assert scheduled.group.meetings.count() == before


def test_horizon_is_topped_up_by_its_own_job_as_time_passes(scheduled, frozen):
    june = datetime(2027, 6, 1, tzinfo=UTC)
    frozen.move_to(june)
    call_command("extend_meeting_series", "--now", verbosity=0)
    assert scheduled.group.meetings.filter(starts_at__gt=june).count() == 12
    call_command("extend_meeting_series", "--now", verbosity=0)  # nothing more to add
    assert scheduled.group.meetings.filter(starts_at__gt=june).count() == 12


def test_the_daily_top_up_reads_full_series_in_one_query(
    scheduled, frozen, django_assert_num_queries
):
    from peergroups.meetings.services import meeting_series_extend_all

    assert meeting_series_extend_all() == 0  # set up with 12 ahead: nothing to add
    with django_assert_num_queries(1):
        assert meeting_series_extend_all() == 0
    march = datetime(2027, 3, 20, tzinfo=UTC)
    frozen.move_to(march)  # 12 Jan, 9 Feb and 9 Mar are past
    assert meeting_series_extend_all() == 3
    assert (
        scheduled.group.meetings.filter(starts_at__gt=datetime(2027, 3, 20, tzinfo=UTC)).count()
        == 12
    )


def test_a_closed_group_series_is_not_topped_up(scheduled, frozen):
    from peergroups.groups.services import group_close
    from peergroups.organizations.access import organization_access

    access = organization_access(scheduled.admin, scheduled.organization.slug)
    group_close(access=access, acting_user=scheduled.admin, group=scheduled.group)
    before = scheduled.group.meetings.count()
    frozen.move_to(datetime(2027, 6, 1, tzinfo=UTC))
    call_command("extend_meeting_series", "--now", verbosity=0)
    assert scheduled.group.meetings.count() == before


@pytest.mark.django_db(transaction=True)
def test_extension_command_queues_a_task_the_worker_runs(scheduled, frozen, run_tasks):
    june = datetime(2027, 6, 1, tzinfo=UTC)
    frozen.move_to(june)
    call_command("extend_meeting_series", verbosity=0)
    run_tasks()
    assert scheduled.group.meetings.filter(starts_at__gt=june).count() == 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_workers_at_once_still_send_one_reminder_each(scheduled, meeting, frozen):
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrent workers are tested on PostgreSQL (SQLite runs one writer at a time)"
        )
    frozen.move_to(DAY_BEFORE)
    counts = race(*[reminders_send_now] * 4)
    assert sum(counts) == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "fran@acme.test",
        "max@acme.test",
        "mia@acme.test",
    ]
