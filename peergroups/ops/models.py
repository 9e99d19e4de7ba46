"""What a deployment needs to know about itself: which task workers are alive."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per task worker process, touched every few seconds while it runs."""

    worker_id = models.CharField(max_length=64, unique=True)
    queues = models.CharField(max_length=200)
    host = models.CharField(max_length=200)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.queues})"


class ScheduledRun(models.Model):
    """One due run of a periodic job (ops.scheduler), claimed by the worker that inserts it.

    The unique (job, due_at) pair is the claim: however many workers tick at the same
    moment, on however many machines, one insert wins and queues the job's task; the
    others get an IntegrityError and move on.
    """

    job = models.CharField(max_length=100)
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=200, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "due_at"], name="scheduled_run_once_per_due")
        ]

    def __str__(self) -> str:
        return f"{self.job} due {self.due_at:%Y-%m-%d %H:%M}"
