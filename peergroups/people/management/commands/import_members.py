"""Import members from a CSV or .xlsx file: every row is checked first, then all or nothing."""

from django.core.management.base import BaseCommand, CommandError

from peergroups.organizations.models import Organization
from peergroups.people.imports import ImportInvalid, members_import


class Command(BaseCommand):
    help = "Import (or update) the members listed in a CSV file into an organization."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="CSV file (UTF-8) or Excel workbook (.xlsx), with a header line"
        )
        parser.add_argument("--org", required=True, help="the organization's slug")
        parser.add_argument(
            "--send-invitations",
            action="store_true",
            help="e-mail the invitation to each person the file invites",
        )

    def handle(self, *args, file: str, org: str, send_invitations: bool, **options):
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"No organization with the slug {org!r}.")
        try:
            with open(file, "rb") as handle:
                report = members_import(
                    organization=organization,
                    file=handle,
                    acting_user=None,
                    send_invitations=send_invitations,
                )
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        except ImportInvalid as invalid:
            # FILE:LINE: lets editors and terminals jump straight to the row.
            for error in invalid.errors:
                where = f"{file}:{error.line}:" if error.line else f"{file}:"
                column = f" {error.column}:" if error.column else ""
                self.stderr.write(f"{where}{column} {error.reason}")
            raise CommandError(
                f"{len(invalid.errors)} error(s) in {file}; nothing was imported."
            ) from None
        for warning in report.warnings:
            self.stderr.write(f"{file}: {warning}")
        self.stdout.write(
            f"Imported {report.total} rows ({report.created} new invitations, "
            f"{report.updated} updated); {report.invited} e-mails queued."
        )
