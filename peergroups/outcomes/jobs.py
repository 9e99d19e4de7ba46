"""Outcomes' periodic job (run by the task workers; see ops.scheduler)."""

from peergroups.ops.scheduler import hourly, periodic_job
from peergroups.outcomes.tasks import outcomes_keep_now, pulses_send_now

# Each member's pulse goes out at 09:00 on the 1st in their own zone: hourly finds them.
periodic_job("send_pulses", pulses_send_now, hourly())
# The admins' program outcomes of the new period, kept before anyone reads them (each
# organization's month turns at its own midnight).
periodic_job("keep_program_outcomes", outcomes_keep_now, hourly(minute=45))
