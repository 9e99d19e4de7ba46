"""The one task every periodic job runs as: it calls the registered job and records the end."""

import logging

from django_tasks import task

from peergroups.ops.scheduler import registered_job, scheduled_run_finished

logger = logging.getLogger(__name__)


@task()
def scheduled_job_run(run_id: int, job: str) -> object:
    """Run `job` for ScheduledRun `run_id`; a failure is recorded (for /readyz) and raised."""
    periodic = registered_job(job)
    try:
        if periodic is None:
            raise LookupError(f"No periodic job named {job!r} is registered.")
        result = periodic.run()
    except Exception as error:
        scheduled_run_finished(run_id=run_id, error=error)
        raise
    scheduled_run_finished(run_id=run_id)
    logger.info("periodic job %s: %s", job, result)
    return result
