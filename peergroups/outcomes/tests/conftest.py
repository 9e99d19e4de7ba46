"""Fixtures for outcomes tests: a Group A of any size, answers, and pulses in the past."""

from datetime import date

import pytest

from conftest import make_user
from peergroups.groups.services import membership_add
from peergroups.organizations.models import Role
from peergroups.organizations.services import role_grant
from peergroups.outcomes import services
from peergroups.outcomes.models import Pulse

ANSWERS = dict(hours_per_week=55, productivity=4, margin_trend=0, goal_confidence=4)


def answers(**changes) -> services.PulseAnswers:
    return services.PulseAnswers(**{**ANSWERS, **changes})


def form_data(**changes) -> dict:
    return {**ANSWERS, "meeting_value": 6, "note": "", **changes}


def add_members(cast, n: int, group=None, prefix: str = "extra") -> list:
    """n more members in Group A (or the given group)."""
    users = []
    for i in range(n):
        user = make_user(f"{prefix}{i}@acme.test", f"{prefix.title()} Member {i}")
        role_grant(organization=cast.organization, user=user, role=Role.MEMBER, acting_user=None)
        membership_add(group=group or cast.group, user=user, acting_user=None)
        users.append(user)
    return users


def answered_pulse(cast, user, month: date, group=None, **changes) -> Pulse:
    """A pulse of a past month, answered (history the service would not backdate)."""
    pulse = Pulse.objects.create(
        organization=cast.organization, user=user, group=group or cast.group, month=month
    )
    return services.pulse_answer(pulse=pulse, answers=answers(**changes), acting_user=user)


@pytest.fixture
def group_of_six(cast):
    """Group A: Mia, Max and four more."""
    return [cast.member, cast.member2, *add_members(cast, 4)]
