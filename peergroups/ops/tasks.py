"""The old home of the periodic jobs' task, kept so runs queued before an upgrade (their
rows name `peergroups.ops.tasks.scheduled_job_run`) still find it.

The task lives in `ops/scheduler.py`, beside the tick that queues it and the registry it
reads: the two modules imported each other while it lived here.
"""

from peergroups.ops.scheduler import scheduled_job_run

__all__ = ["scheduled_job_run"]
