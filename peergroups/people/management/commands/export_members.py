"""Export an organization's members as CSV, in the columns `import_members` reads."""

from django.core.management.base import BaseCommand, CommandError

from peergroups.organizations.models import Organization
from peergroups.people.imports import members_export


class Command(BaseCommand):
    help = "Write an organization's members as CSV to stdout or to a file."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the organization's slug")
        parser.add_argument("--out", help="file to write (default: standard output)")

    def handle(self, *args, org: str, out: str | None, **options):
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"No organization with the slug {org!r}.")
        content = members_export(organization=organization)
        if out:
            with open(out, "w", encoding="utf-8", newline="") as handle:
                handle.write(content)
        else:
            self.stdout.write(content, ending="")
