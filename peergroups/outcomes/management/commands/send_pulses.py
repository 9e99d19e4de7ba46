"""Queue (or, with --now, send) the monthly pulses and reminders that are due, by hand.

The workers run this job hourly by themselves (outcomes/jobs.py, ops.scheduler).
"""

from django.core.management.base import BaseCommand

from peergroups.formats import count_of
from peergroups.outcomes.tasks import pulses_send, pulses_send_now


class Command(BaseCommand):
    help = (
        "E-mail each member in an active group their monthly pulse at 09:00 on the 1st in "
        "their own time zone, with a one-click link, and one reminder a week later."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="Send in this process instead of queueing a task."
        )

    def handle(self, *args, now: bool = False, **options):
        if now:
            result = pulses_send_now()
            self.stdout.write(
                f"{count_of(result['sent'], 'pulse')} and {count_of(result['reminded'], 'reminder')} sent."
            )
        else:
            result = pulses_send.enqueue()
            self.stdout.write(f"Pulse task queued ({result.id}).")
