"""Goals' periodic job (run by the task workers; see ops.scheduler)."""

from peergroups.goals.tasks import goal_reminders_send_now
from peergroups.ops.scheduler import daily, periodic_job

periodic_job("send_goal_reminders", goal_reminders_send_now, daily(hour=7))
