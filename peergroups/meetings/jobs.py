"""Meetings' periodic jobs (run by the task workers; see ops.scheduler), and the task that
queues the series top-up by hand (`manage.py extend_meeting_series`).

The top-up is a service, so its task sits here, above services, rather than in
`tasks.py`, which services import to queue e-mail.
"""

import logging

from django_tasks import task

from peergroups.meetings import services
from peergroups.meetings.tasks import meeting_invitations_send_now, reminders_send_now
from peergroups.ops.scheduler import daily, hourly, periodic_job

logger = logging.getLogger(__name__)

periodic_job("send_meeting_reminders", reminders_send_now, hourly())
periodic_job("extend_meeting_series", services.meeting_series_extend_all, daily(hour=2))
# Calendar invitations (iMIP) of the coming weeks, for those who chose them.
periodic_job("send_meeting_invitations", meeting_invitations_send_now, hourly(minute=30))


@task()
def meeting_series_extend_all() -> int:
    added = services.meeting_series_extend_all()
    logger.info("meeting occurrences added: %s", added)
    return added
