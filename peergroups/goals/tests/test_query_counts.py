"""List pages run a bounded number of queries however much data there is."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from peergroups.goals import services


def populate(cast, commit, n):
    for i in range(n):
        for member in (cast.member, cast.member2):
            commit(
                date(2026, 12, 1) + timedelta(days=i),
                member=member,
                outcome="done" if i % 2 else None,
            )
        services.goal_create(
            organization=cast.organization,
            owner=cast.member,
            group=cast.group,
            title=f"Goal {i}",
            measure="x",
            baseline=0,
            target=10,
            due_on=date(2031, 1, 1),
            visibility="group",
        )
        services.goal_progress_add(
            goal=cast.member.key_goals.last(), value=i, acting_user=cast.member
        )
    services.partners_assign(group=cast.group, cycle=1, seed=1)


def count_queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("who", "name", "group_url"),
    [
        ("member", "goals-dashboard", False),
        ("member", "goals-commitments", False),
        ("facilitator", "goals-group", True),
        ("member", "goals-group", True),
        ("admin", "goals-insights", False),
    ],
)
def test_query_count_does_not_grow_with_data(
    client, accepted, commit, frozen, django_assert_max_num_queries, who, name, group_url
):
    args = ["acme", accepted.group.pk] if group_url else ["acme"]
    url = reverse(name, args=args)
    client.force_login(getattr(accepted, who))
    client.get(url)  # the first visit also writes the session
    populate(accepted, commit, 4)  # already two misses each: someone is slipping
    small = count_queries(client, url, django_assert_max_num_queries, 30)
    populate(accepted, commit, 12)
    large = count_queries(client, url, django_assert_max_num_queries, 30)
    assert large == small
