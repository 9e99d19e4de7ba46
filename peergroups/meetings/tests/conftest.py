"""Fixtures for meeting tests: a frozen clock, a scheduled group, accepted agreements."""

from datetime import UTC, date, datetime, time

import pytest
import time_machine

from peergroups.meetings import selectors, services
from peergroups.meetings.models import Meeting

# A Friday; Group A's first meetings fall in January 2027.
NOW = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def accepted(cast):
    """Everyone in Groups A and B has accepted their group's current agreement."""
    for group, members in (
        (cast.group, [cast.member, cast.member2]),
        (cast.other_group, [cast.other_member]),
    ):
        agreement = selectors.agreement_latest(group=group)
        for member in members:
            services.agreement_accept(agreement=agreement, user=member)
    return cast


@pytest.fixture
def scheduled(accepted, frozen):
    """Group A meets monthly, second Tuesday 08:00–12:00 New York time."""
    services.meeting_series_set(
        group=accepted.group,
        acting_user=accepted.facilitator,
        frequency="monthly",
        weekday=1,
        week_of_month=2,
        starts_on=date(2027, 1, 1),
        start_time=time(8, 0),
        end_time=time(12, 0),
        time_zone="America/New_York",
        location="Acme HQ, room 4",
        video_url="https://video.example/acme-a",
    )
    accepted.group.refresh_from_db()
    return accepted


@pytest.fixture
def meeting(scheduled) -> Meeting:
    """Group A's first meeting: Tuesday 12 January 2027, 13:00–17:00 UTC."""
    return Meeting.objects.filter(group=scheduled.group).order_by("starts_at").first()


def issue_for(cast, author=None, **fields):
    defaults = dict(
        title="Whether to promote from within",
        category="hiring",
        situation="Two internal candidates, one external star. The team is watching.",
        ask="Experiences with passing over an internal candidate.",
        urgency=2,
    )
    defaults.update(fields)
    return services.issue_submit(group=cast.group, author=author or cast.member, **defaults)
