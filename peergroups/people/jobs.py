"""People's periodic job (run by the task workers; see ops.scheduler)."""

from peergroups.ops.scheduler import daily, periodic_job
from peergroups.people.tasks import invitation_reminders_send_now

periodic_job("send_invitation_reminders", invitation_reminders_send_now, daily(hour=8))
