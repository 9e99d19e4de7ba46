"""Group health for the facilitator: figures over the group only, each over 5+ people,
and a flag when a measure drops two months running."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from peergroups.outcomes.selectors import dropped_two_months_running

from .conftest import add_members, answered_pulse

TODAY = datetime(2031, 6, 15, 12, tzinfo=UTC)
AFTER_JUNE = datetime(2031, 7, 2, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("values", "flag"),
    [
        ([6, 5, 4], True),  # fell, then fell again
        ([None, 6, 5, 4], True),
        ([6, 5, 5], False),  # a fall, then flat
        ([6, 5, 6, 5], False),  # one fall at the end
        ([6, None, 4], False),  # a gap is not two months running
        ([6, 5, 4, None], True),  # this month has no figure yet
        ([6, 5, None, 4], False),
        ([5, 4], False),
        ([4, 5, 6], False),
        ([], False),
    ],
)
def test_the_flag_rule(values, flag):
    assert dropped_two_months_running(values) is flag


def test_facilitator_sees_meeting_value_falling_and_no_figure_under_five(client, cast):
    people = [cast.member, cast.member2, *add_members(cast, 3)]  # five in Group A
    for month, value in ((date(2031, 4, 1), 6), (date(2031, 5, 1), 5), (date(2031, 6, 1), 4)):
        with time_machine.travel(month.replace(day=10), tick=False):  # answered in the month
            for person in people:
                answered_pulse(cast, person, month, meeting_value=value)
    # In March only four answered: no figure.
    with time_machine.travel(datetime(2031, 3, 10, tzinfo=UTC), tick=False):
        for person in people[:4]:
            answered_pulse(cast, person, date(2031, 3, 1), meeting_value=7, note="Secret note")
    with time_machine.travel(AFTER_JUNE, tick=False):
        client.force_login(cast.facilitator)
        response = client.get(reverse("outcomes-group-health", args=["acme", cast.group.pk]))
    assert response.status_code == 200
    rows = {m["key"]: m for m in response.context["health"]["measures"]}
    values = {c["month"]: c["figure"] for c in rows["meeting_value"]["months"]}
    assert values[date(2031, 6, 1)].value == 4.0
    assert not values[date(2031, 3, 1)].shown
    assert rows["meeting_value"]["flag"] is True
    assert rows["response_rate"]["flag"] is False
    assert 'id="flag-meeting_value"' in response.text
    assert "Secret note" not in response.text  # never one person's words


def test_only_the_groups_facilitator_opens_group_health(client, cast):
    url = reverse("outcomes-group-health", args=["acme", cast.group.pk])
    for user, status in (
        (cast.facilitator, 200),
        (cast.member, 403),
        (cast.admin, 403),
        (cast.other_facilitator, 403),
        (cast.outsider, 404),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status, user


def test_a_month_is_shown_once_it_is_over_and_never_moves_again(client, cast):
    """Issue 21, row 2: polling health while the pulse came in gave 4.8 over 5 people,
    then 4.2 over 6, so the last answer was 4.2×6 − 4.8×5 = 1. Now the month shows
    nothing while it is open, its people as a band, and a late answer changes nothing."""
    from peergroups.meetings.selectors import group_agreement_for_user
    from peergroups.organizations.access import organization_access
    from peergroups.outcomes.selectors import group_health

    people = [cast.member, cast.member2, *add_members(cast, 5)]  # seven

    def june():
        ctx = group_agreement_for_user(
            user=cast.facilitator,
            access=organization_access(cast.facilitator, "acme"),
            group_id=cast.group.pk,
        )
        measures = {m["key"]: m for m in group_health(ctx=ctx)["measures"]}
        cells = {c["month"]: c["figure"] for c in measures["meeting_value"]["months"]}
        return cells[date(2031, 6, 1)]

    with time_machine.travel(TODAY, tick=False):
        seen = set()
        for person in people[:6]:
            answered_pulse(cast, person, date(2031, 6, 1), meeting_value=5)
            seen.add(june())
        assert (
            seen == {june()}
            and not june().shown
            and june().hidden == "shown once the month is over"
        )
    with time_machine.travel(AFTER_JUNE, tick=False):
        published = june()
        assert (published.value, published.people_band) == (5.0, "5–9")
        answered_pulse(cast, people[6], date(2031, 6, 1), meeting_value=1)  # late
        assert june() == published
        client.force_login(cast.facilitator)
        body = client.get(f"/api/organizations/acme/groups/{cast.group.pk}/health").json()
    value = next(m for m in body["measures"] if m["key"] == "meeting_value")
    cell = next(m["figure"] for m in value["months"] if m["month"] == "2031-06-01")
    assert cell == {"value": 5.0, "people": None, "people_band": "5–9", "hidden": ""}
