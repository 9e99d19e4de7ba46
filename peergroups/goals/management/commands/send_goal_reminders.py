"""Queue (or, with --now, send) the commitment reminders that are due, by hand.

The workers run this job daily by themselves (goals/jobs.py, ops.scheduler).
"""

from django.core.management.base import BaseCommand

from peergroups.formats import count_of
from peergroups.goals.tasks import goal_reminders_send, goal_reminders_send_now


class Command(BaseCommand):
    help = (
        "E-mail members about commitments due within 2 days or overdue without a check-in, "
        "with one-click check-in links; never twice for the same commitment and stage."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="Send in this process instead of queueing a task."
        )

    def handle(self, *args, now: bool = False, **options):
        if now:
            sent = goal_reminders_send_now()
            self.stdout.write(f"{count_of(sent, 'goal reminder')} sent.")
        else:
            result = goal_reminders_send.enqueue()
            self.stdout.write(f"Goal reminder task queued ({result.id}).")
