"""`manage.py backup FILE`: the database, the uploaded files and a manifest in one .tar."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from peergroups.ops.backup import SECRET_KEY_REMINDER, BackupError, backup_write


class Command(BaseCommand):
    help = "Back up the database and MEDIA_ROOT into one .tar file (see ops.backup)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="where to write the backup (.tar)")

    def handle(self, *args, file: Path, **options):
        try:
            manifest = backup_write(file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"{file}: {len(manifest['tables'])} tables, {rows} rows, "
            f"{len(manifest['files'])} files (release {manifest['release']})."
        )
        self.stdout.write(self.style.WARNING(SECRET_KEY_REMINDER))
