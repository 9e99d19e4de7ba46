"""Load a large organization for benchmarks and scale tests (see peergroups.demo.scale)."""

import time

from django.core.management.base import BaseCommand, CommandError

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
        self.stdout.write(
            f"Created “{result.organization.name}” (/o/{slug}/) in "
            f"{time.monotonic() - started:.1f} s: "
            + ", ".join(f"{value:,} {key}" for key, value in result.counts.items())
        )
        self.stdout.write(f"Logins (password {DEMO_PASSWORD}): " + ", ".join(logins(slug).values()))
