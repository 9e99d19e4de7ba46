"""`/metrics`: the deployment's state in Prometheus' text format, written by hand (a few
gauges read from the database, which every process shares, so any app process answers
for the whole deployment).

Open to a scraper holding METRICS_TOKEN (`Authorization: Bearer …`), or, with no token
set, only to a private or loopback address that did not come through the proxy.
"""

import hmac
import ipaddress
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Min
from django.http import HttpRequest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

import peergroups
from peergroups.ops.services import check_database, check_workers, task_queues

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    if "HTTP_X_FORWARDED_FOR" in request.META:
        return False  # through the proxy: from the internet
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return address.is_private or address.is_loopback


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class _Exposition:
    def __init__(self):
        self.lines: list[str] = []

    def gauge(self, name: str, help_text: str, samples: list[tuple[dict, float]]) -> None:
        self.lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
        for labels, value in samples:
            text = ",".join(f'{key}="{_label(str(val))}"' for key, val in labels.items())
            self.lines.append(f"{name}{{{text}}} {value:g}" if text else f"{name} {value:g}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def metrics_exposition() -> str:
    out = _Exposition()
    out.gauge(
        "peergroups_build_info",
        "The release this process runs.",
        [({"version": peergroups.__version__}, 1)],
    )
    database = check_database()
    out.gauge("peergroups_database_up", "1 when the database answers.", [({}, int(database.ok))])
    if not database.ok:
        return out.text()
    try:
        workers = check_workers().detail
        now = timezone.now()
        queues = task_queues()
        by_status = {
            (row["queue_name"], row["status"]): row["n"]
            for row in DBTaskResult.objects.filter(
                status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
            )
            .values("queue_name", "status")
            .annotate(n=Count("id"))
        }
        due = dict(
            DBTaskResult.objects.filter(status=TaskResultStatus.READY, run_after__lte=now)
            .values("queue_name")
            .annotate(oldest=Min("enqueued_at"))
            .values_list("queue_name", "oldest")
        )
        waiting = dict(
            DBTaskResult.objects.filter(status=TaskResultStatus.READY, run_after__gt=now)
            .exclude(run_after__gte=now + timedelta(days=3650))  # "no run_after" is far future
            .values("queue_name")
            .annotate(n=Count("id"))
            .values_list("queue_name", "n")
        )
        failed = list(
            DBTaskResult.objects.filter(
                status=TaskResultStatus.FAILED, finished_at__gte=now - timedelta(days=1)
            )
            .values("task_path")
            .annotate(n=Count("id"))
            .values_list("task_path", "n")
        )
    except DatabaseError:
        return out.text()
    out.gauge(
        "peergroups_workers_alive",
        "Task workers that beat within the stale limit, per queue.",
        [({"queue": queue}, count) for queue, count in workers.items()],
    )
    out.gauge(
        "peergroups_tasks",
        "Tasks queued (READY) or running, per queue.",
        [
            ({"queue": queue, "status": status.lower()}, by_status.get((queue, status), 0))
            for queue in queues
            for status in (TaskResultStatus.READY, TaskResultStatus.RUNNING)
        ],
    )
    out.gauge(
        "peergroups_task_oldest_due_seconds",
        "Age of the oldest task due and not yet taken, per queue (0 when none).",
        [
            ({"queue": queue}, (now - due[queue]).total_seconds() if queue in due else 0)
            for queue in queues
        ],
    )
    out.gauge(
        "peergroups_tasks_waiting_retry",
        "Tasks queued to run later (an e-mail waiting to be retried), per queue.",
        [({"queue": queue}, waiting.get(queue, 0)) for queue in queues],
    )
    out.gauge(
        "peergroups_tasks_failed_last_day",
        "Tasks that failed for good in the last 24 hours, per task.",
        [({"task": path}, n) for path, n in sorted(failed)],
    )
    return out.text()
