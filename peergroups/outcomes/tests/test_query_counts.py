"""Outcome pages run a bounded number of queries, whatever the number of people or months."""

from datetime import UTC, date, datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peergroups.outcomes.models import OutcomeSnapshot

from .conftest import add_members, answered_pulse

TODAY = datetime(2031, 6, 15, 12, tzinfo=UTC)
PAGES = [
    ("admin", "outcomes-program", []),
    ("admin", "outcomes-program-csv", []),
    ("facilitator", "outcomes-group-health", ["group"]),
    ("member", "outcomes-member", []),
]


def queries(client, cast) -> dict:
    """Queries per page; the program outcomes page works its figures out afresh (the first
    read of a month does), its CSV reads them as kept."""
    OutcomeSnapshot.objects.all().delete()
    counts = {}
    for role, name, args in PAGES:
        client.force_login(getattr(cast, role))
        url = reverse(name, args=["acme", *[cast.group.pk for _ in args]])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts[name] = len(captured.captured_queries)
    return counts


def test_queries_do_not_grow_with_people_or_months(client, cast):
    with time_machine.travel(TODAY, tick=False):
        answered_pulse(cast, cast.member, date(2031, 6, 1))
        small = queries(client, cast)
        people = [cast.member2, *add_members(cast, 7)]
        for month in range(1, 7):
            for person in [cast.member, *people] if month < 6 else people:
                answered_pulse(cast, person, date(2031, month, 1))
        large = queries(client, cast)
    assert large == small, (small, large)
    assert max(large.values()) <= 25
