"""Load a large organization for benchmarks and scale tests (see peergroups.demo.scale)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from peergroups.demo.scale import DEMO_PASSWORD, logins, scale_seed


class Command(BaseCommand):
    help = "Create an organization of --members members with a year of group life, in bulk."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=10_000)
        parser.add_argument("--slug", default="scale")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, members: int, slug: str, seed: int, **options):
        if not 10 <= members <= 200_000:
            raise CommandError("--members must be between 10 and 200,000.")
        started = time.monotonic()
        try:
            result = scale_seed(members=members, slug=slug, seed=seed)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if connection.vendor == "postgresql":
            # Bulk loads outrun autovacuum: without fresh statistics the planner believes
            # an organization has a handful of members and sorts all 10,000 to show 50.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"Created “{result.organization.name}” (/o/{slug}/) in "
            f"{time.monotonic() - started:.1f} s: "
            + ", ".join(f"{value:,} {key}" for key, value in result.counts.items())
        )
        self.stdout.write(f"Logins (password {DEMO_PASSWORD}): " + ", ".join(logins(slug).values()))
