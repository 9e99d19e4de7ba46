"""Queue (or, with --now, run) the top-up of every meeting series, by hand.

The workers run this job daily by themselves (meetings/jobs.py, ops.scheduler).
"""

from django.core.management.base import BaseCommand

from peergroups.formats import count_of
from peergroups.meetings.jobs import meeting_series_extend_all as extend_task
from peergroups.meetings.services import meeting_series_extend_all


class Command(BaseCommand):
    help = "Keep each group's next meetings stored up to the horizon (12 ahead)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="Run in this process instead of queueing a task."
        )

    def handle(self, *args, now: bool = False, **options):
        if now:
            added = meeting_series_extend_all()
            self.stdout.write(f"{count_of(added, 'meeting')} added.")
        else:
            result = extend_task.enqueue()
            self.stdout.write(f"Series top-up task queued ({result.id}).")
