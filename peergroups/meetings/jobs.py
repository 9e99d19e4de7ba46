"""Meetings' periodic jobs (run by the task workers; see ops.scheduler)."""

from peergroups.meetings.services import meeting_series_extend_all
from peergroups.meetings.tasks import reminders_send_now
from peergroups.ops.scheduler import daily, hourly, periodic_job

periodic_job("send_meeting_reminders", reminders_send_now, hourly())
periodic_job("extend_meeting_series", meeting_series_extend_all, daily(hour=2))
