"""Queue (or, with --now, send) the meeting reminders that are due, by hand.

The workers run this job hourly by themselves (meetings/jobs.py, ops.scheduler).
"""

from django.core.management.base import BaseCommand

from peergroups.formats import count_of
from peergroups.meetings.tasks import meeting_reminders_send, reminders_send_now


class Command(BaseCommand):
    help = "E-mail reminders 24 hours before each meeting; never twice to the same person."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="Send in this process instead of queueing a task."
        )

    def handle(self, *args, now: bool = False, **options):
        if now:
            sent = reminders_send_now()
            self.stdout.write(f"{count_of(sent, 'reminder')} sent.")
        else:
            result = meeting_reminders_send.enqueue()
            self.stdout.write(f"Reminder task queued ({result.id}).")
