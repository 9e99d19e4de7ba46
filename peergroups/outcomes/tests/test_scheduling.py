"""The monthly pulse goes out at 09:00 on the 1st in each member's own time zone (DST
included), once, to members of an active group only; one reminder a week later."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from peergroups.groups.services import group_create, membership_add
from peergroups.outcomes import services
from peergroups.outcomes.models import Pulse
from peergroups.outcomes.tasks import pulses_send_now
from peergroups.people.models import MemberProfile

from .conftest import answers


def zone(cast, user, name):
    MemberProfile.objects.filter(organization=cast.organization, user=user).update(
        time_zone=name, completed_at=timezone.now()
    )


def recipients_at(moment) -> set[str]:
    mail.outbox.clear()
    with time_machine.travel(moment, tick=False):
        pulses_send_now()
    return {m.to[0] for m in mail.outbox}


def test_each_member_gets_the_pulse_at_nine_on_the_first_in_their_own_zone(cast):
    zone(cast, cast.member, "Pacific/Auckland")  # UTC+13 in March (daylight time)
    zone(cast, cast.member2, "America/New_York")  # UTC-4 on 1 April (daylight time)
    zone(cast, cast.other_member, "Europe/Berlin")  # UTC+2 on 1 April
    # 31 March 20:00 UTC is 1 April 09:00 in Auckland (NZDT ends on 6 April 2031).
    assert recipients_at(datetime(2031, 3, 31, 19, 59, tzinfo=UTC)) == set()
    assert recipients_at(datetime(2031, 3, 31, 20, 0, tzinfo=UTC)) == {"mia@acme.test"}
    assert recipients_at(datetime(2031, 4, 1, 6, 59, tzinfo=UTC)) == set()
    assert recipients_at(datetime(2031, 4, 1, 7, 0, tzinfo=UTC)) == {"oli@acme.test"}
    assert recipients_at(datetime(2031, 4, 1, 13, 0, tzinfo=UTC)) == {"max@acme.test"}
    assert recipients_at(datetime(2031, 4, 2, 13, 0, tzinfo=UTC)) == set()  # once a month
    months = set(Pulse.objects.values_list("user__email", "month"))
    assert {m for _, m in months} == {datetime(2031, 4, 1).date()}
    assert len(months) == 3


def test_the_send_time_follows_daylight_saving_time(cast):
    """New York leaves daylight time at 02:00 on Sunday 1 November 2026: 09:00 that
    day is 14:00 UTC, where on 1 October it was 13:00 UTC."""
    zone(cast, cast.member, "America/New_York")
    assert "mia@acme.test" not in recipients_at(datetime(2026, 10, 1, 12, 59, tzinfo=UTC))
    assert "mia@acme.test" in recipients_at(datetime(2026, 10, 1, 13, 0, tzinfo=UTC))
    assert "mia@acme.test" not in recipients_at(datetime(2026, 11, 1, 13, 30, tzinfo=UTC))
    assert "mia@acme.test" in recipients_at(datetime(2026, 11, 1, 14, 0, tzinfo=UTC))


def test_a_member_without_intake_is_asked_in_the_groups_zone(cast):
    cast.group.time_zone = "Asia/Tokyo"
    cast.group.save(update_fields=["time_zone"])
    # 09:00 in Tokyo on 1 June is 00:00 UTC.
    assert "mia@acme.test" not in recipients_at(datetime(2031, 5, 31, 23, 59, tzinfo=UTC))
    assert "mia@acme.test" in recipients_at(datetime(2031, 6, 1, 0, 0, tzinfo=UTC))


def test_no_pulse_to_people_not_in_an_active_group(cast):
    """Group B was re-formed: cycle 2 exists, so cycle 1's Group B is no longer active
    for Oli, who is in no cycle-2 group. Admins and facilitators are never asked."""
    cycle_2 = group_create(program=cast.program, name="Group A, cycle 2", acting_user=cast.admin)
    cycle_2.cycle = 2
    cycle_2.save(update_fields=["cycle"])
    for user in (cast.member, cast.member2):
        membership_add(group=cycle_2, user=user, acting_user=cast.admin)
    sent = recipients_at(datetime(2031, 4, 1, 12, 0, tzinfo=UTC))
    assert sent == {"mia@acme.test", "max@acme.test"}
    assert set(Pulse.objects.values_list("group_id", flat=True)) == {cycle_2.pk}


def test_one_reminder_a_week_later_and_none_once_answered(cast):
    start = datetime(2031, 4, 1, 12, 0, tzinfo=UTC)
    recipients_at(start)
    mia = Pulse.objects.get(user=cast.member)
    services.pulse_answer(pulse=mia, answers=answers(), acting_user=cast.member)
    assert recipients_at(start + timedelta(days=6)) == set()
    reminded = recipients_at(start + timedelta(days=7, hours=1))
    assert reminded == {"max@acme.test", "oli@acme.test"}
    assert all("reminder" in m.subject for m in mail.outbox)
    assert recipients_at(start + timedelta(days=8)) == set()  # only one reminder


def test_the_command_queues_the_task_and_the_worker_sends(cast, run_tasks):
    with time_machine.travel(datetime(2031, 4, 1, 12, 0, tzinfo=UTC), tick=False):
        call_command("send_pulses")
        run_tasks()
    assert {m.to[0] for m in mail.outbox} == {"mia@acme.test", "max@acme.test", "oli@acme.test"}
    body = mail.outbox[0].body
    assert "/o/acme/pulse/" in body and "works once and for 14 days" in body
    assert Pulse.objects.filter(sent_at__isnull=False).count() == 3


def test_someone_who_joins_mid_month_waits_for_next_months_pulse(cast):
    assert recipients_at(datetime(2031, 4, 4, 12, 0, tzinfo=UTC)) == set()
    assert len(recipients_at(datetime(2031, 4, 3, 12, 0, tzinfo=UTC))) == 3  # within 3 days
