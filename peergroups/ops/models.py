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
