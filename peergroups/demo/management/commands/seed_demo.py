"""Load the demo organization (the same one every time) and print how to sign in."""

import time

from django.core.management.base import BaseCommand, CommandError

from peergroups.demo.seed import DEMO_PASSWORD, SLUG, URL, demo_seed


class Command(BaseCommand):
    help = "Create the “Northwind Leaders Network” demo organization and print its logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (but print the logins) when the demo organization exists already",
        )

    def handle(self, *args, if_empty: bool, **options):
        started = time.monotonic()
        try:
            result = demo_seed(if_empty=if_empty)
        except ValueError as error:
            raise CommandError(f"{error} Use --if-empty to keep it.") from None
        if result.created:
            self.stdout.write(
                f"Created the demo organization “{result.organization.name}” "
                f"in {time.monotonic() - started:.1f} s."
            )
        else:
            self.stdout.write(f"The demo organization “{result.organization.name}” exists already.")
        self.stdout.write("")
        self.stdout.write(f"Demo logins at {URL}/ (password for all: {DEMO_PASSWORD})")
        for login in result.logins:
            self.stdout.write(f"  {login.role + ':':<22} {login.email}")
        self.stdout.write(f"  Organization: {URL}/o/{SLUG}/")
