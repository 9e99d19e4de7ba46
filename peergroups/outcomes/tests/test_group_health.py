"""Group health for the facilitator: figures over the group only, each over 5+ people,
and a flag when a measure drops two months running."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from peergroups.outcomes.selectors import dropped_two_months_running

from .conftest import add_members, answered_pulse

TODAY = datetime(2031, 6, 15, 12, tzinfo=UTC)


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
    with time_machine.travel(TODAY, tick=False):
        for month, value in ((date(2031, 4, 1), 6), (date(2031, 5, 1), 5), (date(2031, 6, 1), 4)):
            for person in people:
                answered_pulse(cast, person, month, meeting_value=value)
        # In March only four answered: no figure.
        for person in people[:4]:
            answered_pulse(cast, person, date(2031, 3, 1), meeting_value=7, note="Secret note")
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
