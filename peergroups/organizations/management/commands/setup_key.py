"""Print the setup key that guards the first-run page of an install with no organization."""

from django.conf import settings
from django.core.management.base import BaseCommand

from peergroups.organizations.services import first_run_key_ensure


class Command(BaseCommand):
    help = (
        "Print the one-time setup key for the first-run page (nothing once an organization exists)."
    )

    def handle(self, *args, **options):
        key = first_run_key_ensure()
        if key is None:
            self.stdout.write("This install has an organization; no setup key is needed.")
            return
        self.stdout.write(
            f"No organization yet. Open {settings.BASE_URL}/setup/ and enter the setup key:\n"
            f"    {key}\n"
            "It stops working once the first organization exists."
        )
