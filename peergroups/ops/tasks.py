"""The one task every periodic job runs as: it calls the registered job and records the end."""

import logging
from datetime import datetime

from django_tasks import task

from peergroups.ops.scheduler import registered_job, scheduled_run_finished

logger = logging.getLogger(__name__)


@task()
def scheduled_job_run(job: str, due_at: str) -> object:
    """Run `job` for its run due at `due_at` (ISO 8601); a failure is recorded (for
    /readyz) and raised."""
    due = datetime.fromisoformat(due_at)
    periodic = registered_job(job)
    try:
        if periodic is None:
            raise LookupError(f"No periodic job named {job!r} is registered.")
        result = periodic.run()
    except Exception as error:
        scheduled_run_finished(job=job, due_at=due, error=error)
        raise
    scheduled_run_finished(job=job, due_at=due)
    logger.info("periodic job %s: %s", job, result)
    return result
