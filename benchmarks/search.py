"""Search benchmark: 50,000 resources, 100 queries, on SQLite (FTS5) or PostgreSQL.

Prints the median and 95th-percentile latency of the search selector per query, and the
number of database queries one search page (the library page with a query, through the
test client) runs, which must not grow with the number of resources. A benchmark, not a
test: figures vary with the machine.

    python -m benchmarks.search [--resources 50000] [--queries 100] [--reseed]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peergroups_bench python -m benchmarks.search

Uses var/bench/search.sqlite3 unless DATABASE_URL is set; the data is kept between runs
(--reseed makes it anew).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLUG = "bench-search"
SEED = 20270313


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL"):
        folder = ROOT / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'search.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peergroups.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def vocabulary(rng: random.Random) -> list[str]:
    """Real words from the demo library plus made-up ones, so the index has a realistic
    number of distinct terms (about 6,000)."""
    from peergroups.demo.resources import LIBRARY
    from peergroups.resources.search import index_terms

    words = set()
    for title, _kind, _topics, summary, _url, text in LIBRARY:
        words |= index_terms(f"{title} {summary} {text or ''}")
    syllables = ["ka", "lo", "mi", "ter", "van", "so", "pre", "dun", "rel", "qui", "zor", "bat"]
    while len(words) < 6000:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def seed(count: int, rng: random.Random) -> None:
    from django.db import transaction

    from peergroups.accounts.models import User
    from peergroups.groups.services import group_create, membership_add, program_create
    from peergroups.meetings import services as meetings
    from peergroups.organizations.models import Organization, Role
    from peergroups.organizations.services import organization_create, role_grant
    from peergroups.people.vocabulary import AREA_LABELS
    from peergroups.resources.models import Resource, ResourceTopic, SearchTerm
    from peergroups.resources.search import index_terms

    Organization.objects.filter(slug=SLUG).delete()
    User.objects.filter(email__endswith="@bench-search.test").delete()
    words = vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf-like: a few common words
    rng.shuffle(words)
    admin = User.objects.create_user(email="admin@bench-search.test", password="x")
    org = organization_create(name="Search bench", slug=SLUG, admin=admin)
    program = program_create(organization=org, acting_user=admin, name="Bench")
    viewer = User.objects.create_user(
        email="viewer@bench-search.test", password="x", full_name="Vera Viewer"
    )
    role_grant(organization=org, user=viewer, role=Role.MEMBER, acting_user=admin)
    groups = [
        group_create(program=program, name=f"Group {i:02}", acting_user=admin) for i in range(20)
    ]
    membership_add(group=groups[0], user=viewer, acting_user=admin)
    meetings.agreement_accept(agreement=meetings.agreement_current(group=groups[0]), user=viewer)
    topics = sorted(AREA_LABELS)

    def text(n: int) -> str:
        return " ".join(rng.choices(words, weights=weights, k=n))

    started = time.perf_counter()
    batch = 2000
    for first in range(0, count, batch):
        rows, topic_rows, terms = [], [], set()
        for _ in range(min(batch, count - first)):
            chosen = rng.sample(topics, rng.randint(1, 3))
            group = rng.choice(groups) if rng.random() < 0.1 else None  # 10% group-only
            resource = Resource(
                organization=org,
                group=group,
                scope="group" if group else "organization",
                kind=rng.choice(["practice", "tool", "article", "template"]),
                title=text(rng.randint(3, 7)).capitalize(),
                summary=text(rng.randint(20, 50)),
                url="https://example.org/r",
                file_text=text(rng.randint(0, 300)) if rng.random() < 0.4 else "",
                topics=chosen,
                topics_text=" ".join(AREA_LABELS[t] for t in chosen),
                shared_by=admin,
                useful_count=rng.randint(0, 12),
            )
            rows.append(resource)
            key = f"g{group.pk}" if group else "o"
            terms |= {
                (key, w)
                for w in index_terms(f"{resource.title} {resource.summary} {resource.file_text}")
            }
        with transaction.atomic():
            Resource.objects.bulk_create(rows)
            for resource in rows:
                topic_rows += [
                    ResourceTopic(resource=resource, organization=org, topic=t)
                    for t in resource.topics
                ]
            ResourceTopic.objects.bulk_create(topic_rows)
            SearchTerm.objects.bulk_create(
                [
                    SearchTerm(organization=org, scope_key=k, term=w, length=len(w))
                    for k, w in terms
                ],
                ignore_conflicts=True,
                batch_size=2000,
            )
        print(f"  seeded {first + len(rows):>6} resources", end="\r", flush=True)
    print(f"  seeded {count} resources in {time.perf_counter() - started:.0f} s")


def queries(rng: random.Random, n: int) -> list[str]:
    """One to three words, some cut short (typing) and some with a typo."""
    from peergroups.resources.models import SearchTerm

    common = list(
        SearchTerm.objects.filter(organization__slug=SLUG, scope_key="o", length__gte=5)
        .order_by("term")
        .values_list("term", flat=True)[:4000]
    )
    result = []
    for i in range(n):
        picked = rng.sample(common, rng.randint(1, 3))
        if i % 4 == 1:
            picked[-1] = picked[-1][: max(3, len(picked[-1]) - 3)]  # still typing
        elif i % 4 == 2:
            word = picked[0]
            at = rng.randrange(1, len(word))
            picked[0] = word[:at] + word[at + 1 :]  # a letter missing
        result.append(" ".join(picked))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    setup_django()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from peergroups.accounts.models import User
    from peergroups.organizations.access import organization_access
    from peergroups.resources.models import Resource
    from peergroups.resources.selectors import library

    rng = random.Random(SEED)
    have = Resource.objects.filter(organization__slug=SLUG).count()
    if args.reseed or have != args.resources:
        print(f"Seeding {args.resources} resources on {connection.vendor} …")
        seed(args.resources, rng)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO resources_resource_fts(resources_resource_fts) VALUES ('optimize')"
            )
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    viewer = User.objects.get(email="viewer@bench-search.test")
    access = organization_access(viewer, SLUG)
    batch = queries(random.Random(SEED + 1), args.queries)

    library(user=viewer, access=access, query=batch[0])  # warm caches and connections
    times, found = [], []
    for query in batch:
        started = time.perf_counter()
        page = library(user=viewer, access=access, query=query)
        times.append((time.perf_counter() - started) * 1000)
        found.append(page.count)

    client = Client()
    client.force_login(viewer)
    url = reverse("resources-library", args=[SLUG])
    per_page = []
    for query in batch[:10]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"q": query}).status_code == 200
        per_page.append(len(captured))
    times_sorted = sorted(times)
    p95 = times_sorted[int(0.95 * (len(times_sorted) - 1))]
    print(
        f"{connection.vendor}: {args.resources} resources, {len(batch)} queries — "
        f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
        f"max {times_sorted[-1]:.1f} ms; median results {statistics.median(found):.0f}; "
        f"database queries per search page {min(per_page)}–{max(per_page)}"
    )


if __name__ == "__main__":
    main()
