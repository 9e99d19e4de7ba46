"""Queue (or, with --now, send) the reminders for stalled invitations and intakes, by hand.

The workers run this job daily by themselves (people/jobs.py, ops.scheduler).
"""

from django.core.management.base import BaseCommand

from peergroups.formats import count_of
from peergroups.people.tasks import invitation_reminders_send, invitation_reminders_send_now


class Command(BaseCommand):
    help = (
        "E-mail, once each, people invited over 7 days ago who have not accepted, and people "
        "who accepted over 7 days ago and have not completed their intake."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="Send in this process instead of queueing a task."
        )

    def handle(self, *args, now: bool = False, **options):
        if now:
            sent = invitation_reminders_send_now()
            self.stdout.write(f"{count_of(sent, 'reminder')} sent.")
        else:
            result = invitation_reminders_send.enqueue()
            self.stdout.write(f"Invitation reminder task queued ({result.id}).")
