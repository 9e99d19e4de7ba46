"""Every key page runs the same number of queries for 300 members as for 3,000: no
query per member, group or meeting anywhere (the scale fixture builds both)."""

from django.db import connection
from django.utils import timezone

from peergroups.accounts.models import User
from peergroups.api.services import token_create
from peergroups.demo.scale import logins, scale_seed
from peergroups.groups.models import PeerGroup
from peergroups.meetings.models import Meeting
from peergroups.meetings.services import calendar_feed_issue
from peergroups.organizations.models import Program

SIZES = {"small": 300, "large": 3000}


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def key_pages(slug: str) -> list[tuple[str, str, dict]]:
    """(who, path, headers) of each key page of the organization `slug`."""
    member = User.objects.get(email=logins(slug)["member"])
    group = PeerGroup.objects.get(memberships__user=member)
    held = Meeting.objects.filter(group=group, starts_at__lt=timezone.now()).latest("starts_at")
    ahead = Meeting.objects.filter(group=group, starts_at__gt=timezone.now()).earliest("starts_at")
    program = Program.objects.get(organization__slug=slug)
    _feed, token = calendar_feed_issue(user=member, organization=program.organization)
    _key, raw = token_create(user=User.objects.get(email=logins(slug)["admin"]), name="count")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    o, g = f"/o/{slug}", f"/o/{slug}/groups/{group.pk}"
    return [
        ("member", f"{o}/", {}),
        ("member", f"{g}/", {}),
        ("member", f"{g}/meetings/{held.pk}/", {}),
        ("member", f"{o}/goals/", {}),
        ("facilitator", f"{g}/meetings/{ahead.pk}/run/", {}),
        ("admin", f"{o}/", {}),
        ("admin", f"{o}/programs/{program.pk}/", {}),
        ("admin", f"{o}/members/", {}),
        ("admin", f"{o}/members/?region=Boston&intake=complete", {}),
        ("admin", f"{o}/insights/goals/", {}),
        ("admin", f"{o}/insights/meetings/", {}),
        (None, f"/api/organizations/{slug}/members?limit=50", bearer),
        (None, f"/api/organizations/{slug}/programs", bearer),
        (None, f"{o}/calendar/{token}.ics", {}),
    ]


def query_counts(client, slug: str) -> list[tuple[str, int, int]]:
    counts = []
    for who, path, headers in key_pages(slug):
        client.logout()
        if who:
            client.force_login(User.objects.get(email=logins(slug)[who]))
        client.get(path, **headers)  # warm: first-request work (sessions, token use)
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            response = client.get(path, **headers)
        counts.append((path.replace(slug, "<org>"), response.status_code, counter.count))
    return counts


def test_key_pages_run_as_many_queries_at_3000_members_as_at_300(db, client):
    for slug, members in SIZES.items():
        scale_seed(members=members, slug=slug)
    small, large = query_counts(client, "small"), query_counts(client, "large")
    assert all(status == 200 for _path, status, _count in small), small
    # Paths differ in ids only; compare the status and the count page by page.
    assert [(s, c) for _p, s, c in small] == [(s, c) for _p, s, c in large], list(
        zip(small, large, strict=True)
    )
