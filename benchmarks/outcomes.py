"""Outcomes benchmark: the admins' program outcomes page, its CSV and its API on an
organization of 10,000 members with 12 months of pulses, on PostgreSQL.

Prints, per request, the time of the first read of the month (which works the figures
out and keeps them), the number of SQL queries of the reads after it (it must not grow
with the data) and their median and 95th-percentile time, made in-process through
Django's test client (no network, no web server: the view, the selectors and the database).
A benchmark, not a test: figures vary with the machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peergroups_bench_outcomes \\
        python -m benchmarks.outcomes [--members 10000] [--requests 20]

The database named in DATABASE_URL is dropped and created afresh, unless --reuse finds
it seeded (then before/after runs of two checkouts measure the same rows).
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/peergroups_bench_outcomes"
GROUP_SIZE = 8
PROGRAMS = 4
MONTHS = 12
BATCH = 5000


def recreate_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(members: int, rng: random.Random):
    """The organization, its programs, two cycles of groups, a year of group life."""
    from peergroups.accounts.models import User
    from peergroups.goals.models import Commitment, CommitmentCheckIn
    from peergroups.groups.models import GroupMembership, PeerGroup
    from peergroups.meetings.models import Attendance, Issue, IssueCategory, Meeting
    from peergroups.organizations.models import Organization, OrganizationRole, Program, Role
    from peergroups.outcomes.models import Baseline, Pulse
    from peergroups.outcomes.selectors import month_starts

    today = date.today()
    months = month_starts(today, MONTHS)
    admin = User.objects.create_user(email="admin@bench.test", password="bench", full_name="Admin")
    organization = Organization.objects.create(name="Bench", slug="bench")
    OrganizationRole.objects.create(organization=organization, user=admin, role=Role.ADMIN)
    users = User.objects.bulk_create(
        [
            User(email=f"m{i}@bench.test", full_name=f"Member {i}", password="!")
            for i in range(members)
        ],
        batch_size=BATCH,
    )
    OrganizationRole.objects.bulk_create(
        [OrganizationRole(organization=organization, user=u, role=Role.MEMBER) for u in users],
        batch_size=BATCH,
    )
    programs = [
        Program.objects.create(organization=organization, name=f"Program {p + 1}")
        for p in range(PROGRAMS)
    ]
    # Cycle 1 began 14 months ago; cycle 2 re-formed the groups 6 months ago.
    cycle_start = {
        1: datetime.now(UTC) - timedelta(days=425),
        2: datetime.now(UTC) - timedelta(days=182),
    }
    groups, memberships, group_of = [], [], {}
    for cycle in (1, 2):
        order = users[:]
        rng.shuffle(order)
        for p, program in enumerate(programs):
            mine = [u for u in order if u.pk % PROGRAMS == p]
            for g in range(0, len(mine), GROUP_SIZE):
                chunk = mine[g : g + GROUP_SIZE]
                group = PeerGroup(
                    organization=organization,
                    program=program,
                    name=f"P{p + 1} C{cycle} G{g // GROUP_SIZE + 1}",
                    cycle=cycle,
                    member_count=len(chunk),
                )
                groups.append((group, chunk))
    PeerGroup.objects.bulk_create([g for g, _ in groups], batch_size=BATCH)
    for group, chunk in groups:
        for user in chunk:
            memberships.append(
                GroupMembership(
                    group=group,
                    program_id=group.program_id,
                    cycle=group.cycle,
                    user=user,
                    joined_at=cycle_start[group.cycle],
                )
            )
            group_of[(user.pk, group.cycle)] = group
    GroupMembership.objects.bulk_create(memberships, batch_size=BATCH)

    def cycle_at(month: date) -> int:
        return 2 if datetime(month.year, month.month, 1, tzinfo=UTC) >= cycle_start[2] else 1

    Baseline.objects.bulk_create(
        [
            Baseline(
                organization=organization,
                user=u,
                hours_per_week=rng.randint(45, 65),
                productivity=rng.randint(2, 6),
                margin_trend=rng.choice([-1, 0, 1]),
                goal_confidence=rng.randint(2, 6),
                recorded_at=cycle_start[1],
            )
            for u in users
        ],
        batch_size=BATCH,
    )
    pulses = []
    for month in months:
        for u in users:
            answered = rng.random() < 0.85
            pulses.append(
                Pulse(
                    organization=organization,
                    user=u,
                    group=group_of[(u.pk, cycle_at(month))],
                    month=month,
                    sent_at=datetime(month.year, month.month, 1, 9, tzinfo=UTC),
                    answered_at=datetime(month.year, month.month, 2, tzinfo=UTC)
                    if answered
                    else None,
                    hours_per_week=rng.randint(40, 65) if answered else None,
                    productivity=rng.randint(2, 7) if answered else None,
                    margin_trend=rng.choice([-1, 0, 1]) if answered else None,
                    goal_confidence=rng.randint(2, 7) if answered else None,
                    meeting_value=rng.randint(3, 7) if answered else None,
                )
            )
    Pulse.objects.bulk_create(pulses, batch_size=BATCH)
    meetings, attendance, commitments, issues = [], [], [], []
    for month in months:
        cycle = cycle_at(month)
        for group, chunk in groups:
            if group.cycle != cycle:
                continue
            starts = datetime(month.year, month.month, 10, 14, tzinfo=UTC)
            meetings.append(
                (Meeting(group=group, starts_at=starts, ends_at=starts + timedelta(hours=4)), chunk)
            )
    Meeting.objects.bulk_create([m for m, _ in meetings], batch_size=BATCH)
    categories = IssueCategory.values
    for meeting, chunk in meetings:
        for user in chunk:
            attendance.append(
                Attendance(
                    meeting=meeting,
                    member=user,
                    status="present" if rng.random() < 0.85 else "absent",
                )
            )
        for user in rng.sample(chunk, 2):
            issues.append(
                Issue(
                    group_id=meeting.group_id,
                    author=user,
                    title="An issue",
                    category=rng.choice(categories),
                    situation="-",
                    ask="-",
                    status="processed",
                    meeting=meeting,
                    created_at=meeting.starts_at - timedelta(days=5),
                    processed_at=meeting.starts_at,
                )
            )
            commitments.append(
                Commitment(
                    group_id=meeting.group_id,
                    meeting=meeting,
                    member=user,
                    text="A commitment",
                    due_on=(meeting.starts_at + timedelta(days=28)).date(),
                )
            )
    Attendance.objects.bulk_create(attendance, batch_size=BATCH)
    Issue.objects.bulk_create(issues, batch_size=BATCH)
    Commitment.objects.bulk_create(commitments, batch_size=BATCH)
    CommitmentCheckIn.objects.bulk_create(
        [
            CommitmentCheckIn(
                commitment=c, status=rng.choice(["done", "done", "partly", "not_done"])
            )
            for c in commitments
            if rng.random() < 0.8
        ],
        batch_size=BATCH,
    )
    return (
        organization,
        admin,
        programs,
        {
            "users": len(users),
            "groups": len(groups),
            "memberships": len(memberships),
            "pulses": len(pulses),
            "meetings": len(meetings),
            "attendance": len(attendance),
            "issues": len(issues),
            "commitments": len(commitments),
        },
    )


def measure(client, url: str, requests: int, **headers) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from peergroups.outcomes.models import OutcomeSnapshot

    # The first read of a month works the figures out and keeps them (OutcomeSnapshot);
    # the requests after it read them as kept. Both are measured.
    OutcomeSnapshot.objects.all().delete()
    started = time.perf_counter()
    response = client.get(url, **headers)
    first = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    queries = len(captured.captured_queries)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url, **headers)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    times.sort()
    return {
        "first_ms": 1000 * first,
        "queries": queries,
        "median_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "bytes": len(response.content),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep a seeded database")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        sys.exit("This benchmark runs on PostgreSQL: set DATABASE_URL=postgres://…")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peergroups.settings")
    sys.path.insert(0, str(ROOT))
    if not args.reuse:
        recreate_database(url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from peergroups.accounts.models import User
    from peergroups.organizations.models import Organization, Program

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    organization = Organization.objects.filter(slug="bench").first()
    if args.reuse and organization is not None:
        admin = User.objects.get(email="admin@bench.test")
        programs = list(Program.objects.filter(organization=organization).order_by("pk"))
        print("Reusing the seeded database")
    else:
        started = time.perf_counter()
        organization, admin, programs, counts = seed(args.members, random.Random(1))
        print(
            f"Seeded in {time.perf_counter() - started:.0f} s: "
            + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        )
        # Statistics as autovacuum would have them on a live database: without them
        # PostgreSQL plans the fresh bulk-loaded tables as if they held a few rows.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    from peergroups.api.services import token_create

    _, raw = token_create(user=admin, name="bench")
    client = Client()
    client.force_login(admin)
    slug = organization.slug
    program = programs[0].pk
    cases = [
        ("page", f"/o/{slug}/insights/outcomes/", {}),
        ("page, one program", f"/o/{slug}/insights/outcomes/?program={program}", {}),
        ("page, program and cycle", f"/o/{slug}/insights/outcomes/?program={program}&cycle=2", {}),
        ("CSV", f"/o/{slug}/insights/outcomes.csv", {}),
        ("API", f"/api/organizations/{slug}/outcomes", {"HTTP_AUTHORIZATION": f"Bearer {raw}"}),
        (
            "API, one program",
            f"/api/organizations/{slug}/outcomes?program={program}",
            {"HTTP_AUTHORIZATION": f"Bearer {raw}"},
        ),
    ]
    print(
        f"\n{'request':<26} {'first ms':>8} {'queries':>7} {'median ms':>10} {'p95 ms':>8}"
        f" {'bytes':>8}"
    )
    for label, path, headers in cases:
        result = measure(client, path, args.requests, **headers)
        print(
            f"{label:<26} {result['first_ms']:>8.0f} {result['queries']:>7}"
            f" {result['median_ms']:>10.0f} "
            f"{result['p95_ms']:>8.0f} {result['bytes']:>8}"
        )


if __name__ == "__main__":
    main()
