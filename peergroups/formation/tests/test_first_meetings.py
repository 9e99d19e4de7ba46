"""Before publishing, the admin sees each group's first meeting and can choose the day the
meetings start from; each group's first meeting falls in the first period of the cadence."""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from peergroups.api.services import token_create
from peergroups.formation.models import RunStatus
from peergroups.formation.selectors import proposal_review
from peergroups.meetings.models import Meeting
from peergroups.meetings.recurrence import first_period_end

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 12, 7, 10, tzinfo=UTC)


@pytest.fixture
def december():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_admin_sees_the_first_meetings_chooses_the_start_and_publish_keeps_it(
    client, cast, waiting, solved, december, django_capture_on_commit_callbacks, run_tasks
):
    run = solved()
    client.force_login(cast.admin)
    page = client.get(run.get_absolute_url()).content.decode()
    assert 'name="first_meetings_on" value="2026-12-21"' in page  # two weeks ahead
    assert "First meeting: <strong>" in page

    # Monday 11 January 2027; the program meets monthly (second week, the slot's day).
    chosen = date(2027, 1, 11)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("formation-publish", args=["acme", run.pk]),
            {"first_meetings_on": chosen.isoformat()},
        )
    run.refresh_from_db()
    assert run.first_meetings_on == chosen
    previews = {g.index: g.first_meeting for g in proposal_review(run).groups}
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()
    run.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED
    end = first_period_end(frequency="monthly", starts_on=chosen)
    created = list(run.program.groups.exclude(pk__in=[cast.group.pk, cast.other_group.pk]))
    assert created
    for index, group in enumerate(sorted(created, key=lambda g: g.pk)):
        first = Meeting.objects.filter(group=group).order_by("starts_at").first()
        day = first.starts_at.astimezone(ZoneInfo(group.time_zone)).date()
        assert chosen <= day <= end, (group.name, day)
        assert day == previews[index]


def test_a_day_in_the_past_is_refused_with_a_reason(client, cast, waiting, solved, december):
    run = solved()
    _, key = token_create(user=cast.admin, name="ops")
    url = f"/api/organizations/acme/formation-runs/{run.pk}/publish"
    answer = client.post(url + "?first_meetings_on=2026-12-01", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 422
    assert "from today to a year ahead" in answer.json()["detail"]
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    proposal = client.get(
        f"/api/organizations/acme/formation-runs/{run.pk}/proposal",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    ).json()
    assert proposal["first_meetings_on"] == "2026-12-21"
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", g["first_meeting"]) for g in proposal["groups"])
    answer = client.post(url + "?first_meetings_on=2027-01-11", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 202
    assert answer.json()["first_meetings_on"] == "2027-01-11"
