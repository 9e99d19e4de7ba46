"""Retention (issue 21, item 8): past the organization's period a group's texts are
deleted by the scheduler's job (and the command), the rows and so the counts kept."""

from datetime import UTC, datetime

import time_machine
from django.core.management import call_command

from peergroups.meetings import services as meetings
from peergroups.meetings.models import Issue
from peergroups.ops.scheduler import registered_job
from peergroups.outcomes.tests.conftest import answered_pulse

OLD = datetime(2025, 1, 10, 12, tzinfo=UTC)
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def _issue(cast, title):
    return meetings.issue_submit(
        group=cast.group,
        author=cast.member,
        title=title,
        category="hiring",
        situation=f"{title}: the confidential situation.",
        ask="Experiences, please.",
        urgency=2,
    )


def test_texts_past_the_period_are_deleted_and_counts_kept(cast, capsys):
    from datetime import date

    with time_machine.travel(OLD, tick=False):
        old = _issue(cast, "Old hard call")
        old_pulse = answered_pulse(cast, cast.member, date(2025, 1, 1), note="Old private note")
    with time_machine.travel(NOW, tick=False):
        new = _issue(cast, "New hard call")
        call_command("expire_group_content")  # no period set: nothing happens
        assert Issue.objects.get(pk=old.pk).situation.startswith("Old hard call")
        cast.organization.content_retention_months = 12
        cast.organization.save(update_fields=["content_retention_months"])
        call_command("expire_group_content")
    old.refresh_from_db()
    new.refresh_from_db()
    old_pulse.refresh_from_db()
    assert (old.title, old.situation, old.ask) == ("(removed)", "", "")
    assert old.category == "hiring"  # counts by category still add up
    assert new.situation.startswith("New hard call")
    assert old_pulse.note == "" and old_pulse.answered_at is not None
    assert Issue.objects.filter(group=cast.group).count() == 2
    assert "acme: 1 issues" in capsys.readouterr().out


def test_the_scheduler_runs_it_daily():
    job = registered_job("expire_group_content")
    assert job is not None and job.queue == "default"
