"""Formation's periodic job (run by the task workers; see ops.scheduler)."""

from peergroups.formation.welcome import formation_welcomes_due_send
from peergroups.ops.scheduler import hourly, periodic_job

# Welcome e-mails whose admin did not confirm the names go this hour after the delay.
periodic_job("send_group_welcomes", formation_welcomes_due_send, hourly(minute=15))
