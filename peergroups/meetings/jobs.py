"""Meetings' periodic jobs (run by the task workers; see ops.scheduler)."""

from peergroups.meetings.services import meeting_series_extend_all
from peergroups.meetings.tasks import meeting_invitations_send_now, reminders_send_now
from peergroups.ops.scheduler import daily, hourly, periodic_job

periodic_job("send_meeting_reminders", reminders_send_now, hourly())
periodic_job("extend_meeting_series", meeting_series_extend_all, daily(hour=2))
# Calendar invitations (iMIP) of the coming weeks, for those who chose them.
periodic_job("send_meeting_invitations", meeting_invitations_send_now, hourly(minute=30))
