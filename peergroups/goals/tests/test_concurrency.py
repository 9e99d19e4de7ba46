"""Several workers or clicks at once: still one reminder per stage, one check-in per link."""

from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.db import connection

from conftest import race
from peergroups.goals import services
from peergroups.goals.models import CommitmentCheckIn, GoalReminderSent
from peergroups.goals.tasks import goal_reminders_send_now

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def at_once(workers: int, work) -> list:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (SQLite runs one writer at a time)")
    return race(*[work] * workers)


def test_four_workers_at_once_send_each_reminder_once(accepted, commit, frozen):
    commit(date(2027, 1, 12), text="One.")
    commit(date(2027, 1, 12), member=accepted.member2, text="Two.")
    frozen.move_to(datetime(2027, 1, 11, 9, tzinfo=UTC))
    assert sum(at_once(4, goal_reminders_send_now)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["max@acme.test", "mia@acme.test"]
    assert GoalReminderSent.objects.count() == 2


def test_two_clicks_at_once_on_a_check_in_link_record_one_check_in(commit, frozen):
    token = services.check_in_token_issue(commitment=commit(date(2027, 1, 12)))

    def click():
        try:
            services.check_in_by_token(token=token, status="done")
            return "recorded"
        except services.CheckInLinkInvalid:
            return "refused"

    assert sorted(at_once(4, click)) == ["recorded", "refused", "refused", "refused"]
    assert CommitmentCheckIn.objects.count() == 1
