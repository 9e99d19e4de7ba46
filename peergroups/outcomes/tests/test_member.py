"""A member's own trend against their baseline, the pulse on the page, and bounds that
the form, the API and the service share."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from peergroups.errors import Conflict, Invalid, Refused
from peergroups.outcomes import services
from peergroups.outcomes.models import HOURS, Baseline, Pulse

from .conftest import answered_pulse, answers, form_data

TODAY = datetime(2031, 6, 15, 12, tzinfo=UTC)


def test_the_member_sees_their_trend_against_their_baseline(client, cast):
    with time_machine.travel(TODAY, tick=False):
        services.baseline_record(
            organization=cast.organization, user=cast.member, answers=answers(hours_per_week=60)
        )
        answered_pulse(cast, cast.member, date(2031, 5, 1), hours_per_week=55, note="Mine only")
        answered_pulse(cast, cast.member, date(2031, 6, 1), hours_per_week=50)
        client.force_login(cast.member)
        response = client.get(reverse("outcomes-member", args=["acme"]))
    assert response.status_code == 200
    assert "Baseline: 60 h. " in response.text  # the chart's description
    assert "May: 55 h; Jun: 50 h" in response.text
    assert "Mine only" in response.text  # the member's own note, to the member
    assert 'id="member-kept"' in response.text  # commitments kept beside it


def test_answering_on_the_page_creates_this_months_pulse_once(client, cast):
    url = reverse("outcomes-pulse", args=["acme"])
    with time_machine.travel(TODAY, tick=False):
        client.force_login(cast.member)
        assert client.get(url).status_code == 200
        assert not Pulse.objects.exists()  # no writes on GET
        assert client.post(url, form_data()).status_code == 302
        pulse = Pulse.objects.get()
        assert (pulse.month, pulse.group, pulse.is_answered) == (date(2031, 6, 1), cast.group, True)
        assert "answered this month" in client.get(url).text
        assert client.post(url, form_data()).status_code == 409


def test_a_bad_answer_re_renders_the_form_with_what_was_typed(client, cast):
    client.force_login(cast.member)
    response = client.post(
        reverse("outcomes-pulse", args=["acme"]),
        form_data(hours_per_week=HOURS.high + 1, note="Still here"),
    )
    assert response.status_code == 422
    assert "Still here" in response.text
    assert not Pulse.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hours_per_week": 101}, "hours_per_week"),
        ({"hours_per_week": -1}, "hours_per_week"),
        ({"productivity": 0}, "productivity"),
        ({"goal_confidence": 8}, "goal_confidence"),
        ({"margin_trend": 2}, "margin_trend"),
        ({"meeting_value": 9}, "meeting_value"),
        ({"note": "x" * 1001}, "note"),
    ],
)
def test_the_service_refuses_out_of_bounds_answers(cast, changes, field):
    pulse = Pulse.objects.create(
        organization=cast.organization, user=cast.member, group=cast.group, month=date(2031, 6, 1)
    )
    with pytest.raises(Invalid) as refused:
        services.pulse_answer(pulse=pulse, answers=answers(**changes), acting_user=cast.member)
    assert refused.value.field == field


def test_only_the_member_answers_their_pulse_and_a_baseline_is_kept(cast):
    pulse = Pulse.objects.create(
        organization=cast.organization, user=cast.member, group=cast.group, month=date(2031, 6, 1)
    )
    with pytest.raises(Refused):
        services.pulse_answer(pulse=pulse, answers=answers(), acting_user=cast.member2)
    services.baseline_record(organization=cast.organization, user=cast.member, answers=answers())
    with pytest.raises(Conflict):
        services.baseline_record(
            organization=cast.organization, user=cast.member, answers=answers(hours_per_week=1)
        )
    services.pulse_answer(pulse=pulse, answers=answers(hours_per_week=70), acting_user=cast.member)
    assert Baseline.objects.get().hours_per_week == 55  # the first pulse did not replace it


def test_a_member_outside_an_active_group_is_not_asked(client, cast):
    from peergroups.groups.models import GroupMembership

    GroupMembership.objects.filter(user=cast.member).delete()
    client.force_login(cast.member)
    url = reverse("outcomes-pulse", args=["acme"])
    assert "not in one now" in client.get(url).text
    assert client.post(url, form_data()).status_code == 403
