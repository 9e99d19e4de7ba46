"""Every key page runs the same number of queries for 300 members as for 3,000: no
query per member, group or meeting anywhere (the scale fixture builds both)."""

from django.db import connection

from peergroups.accounts.models import User
from peergroups.demo.scale import key_pages, logins, scale_seed

SIZES = {"small": 300, "large": 3000}


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def query_counts(client, slug: str) -> list[tuple[str, int, int]]:
    counts = []
    for _name, who, path, headers in key_pages(slug):
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
