"""Outcomes' periodic job (run by the task workers; see ops.scheduler)."""

from peergroups.ops.scheduler import hourly, periodic_job, quarter_hourly
from peergroups.outcomes.tasks import outcomes_keep_now, pulses_send_now

# Each member's pulse goes out at 09:00 on the 1st in their own zone: hourly finds them.
periodic_job("send_pulses", pulses_send_now, hourly())
# The admins' program outcomes of the new period, kept before anyone reads them: each
# organization's month turns at its own midnight, and every quarter hour catches each
# zone's midnight as it comes (hourly at :45 left reads of up to 45 minutes waiting).
periodic_job("keep_program_outcomes", outcomes_keep_now, quarter_hourly())
