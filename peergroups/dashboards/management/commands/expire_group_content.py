"""Delete group texts past each organization's retention period, now (the scheduler
runs the same job daily)."""

from django.core.management.base import BaseCommand

from peergroups.dashboards.retention import group_content_expire_all


class Command(BaseCommand):
    help = "Delete group texts past each organization's retention period, keeping the counts."

    def handle(self, *args, **options):
        for slug, counts in group_content_expire_all().items():
            emptied = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items())
            self.stdout.write(f"{slug}: {emptied or 'nothing past the period'}")
