"""`manage.py restore FILE [--replace]`: a backup into this deployment's database and
MEDIA_ROOT (empty ones, unless --replace), checked against its manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from peergroups.ops.backup import SECRET_KEY_REMINDER, BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` (then run `manage.py migrate`)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="overwrite a database and MEDIA_ROOT that are not empty",
        )

    def handle(self, *args, file: Path, replace: bool, **options):
        try:
            restored = backup_restore(file, replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {restored.tables} tables ({restored.rows} rows, as in the backup) "
            f"and {restored.files} files."
        )
        if not restored.same_secret_key:
            self.stderr.write(
                self.style.ERROR(
                    "This backup was made under another SECRET_KEY. " + SECRET_KEY_REMINDER
                )
            )
        self.stdout.write("Next: manage.py migrate (a backup of an older release), then start.")
