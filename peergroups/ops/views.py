"""The probes: `/healthz` for load balancers (process and database), `/readyz` for deploy
gates and monitoring (database, a live worker per queue). Both answer JSON, 503 with a
reason when not fine, never a traceback page."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from peergroups.ops.metrics import CONTENT_TYPE, metrics_allowed, metrics_exposition
from peergroups.ops.outbox import outbox_messages
from peergroups.ops.services import health, readiness

logger = logging.getLogger("peergroups.probes")


def _answer(ok: bool, body: dict) -> JsonResponse:
    response = JsonResponse(body, status=200 if ok else 503)
    if not ok:
        # One WARNING line of our own: Django's would be an ERROR per poll, each one
        # e-mailed to ADMINS while a worker is down.
        logger.warning("%s: %s", body.get("status"), body.get("problem", ""))
        response._has_been_logged = True
    return response


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 `{"status": "ok"}` when the process and the database are up; else 503."""
    ok, body = health()
    return _answer(ok, body)


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when every readiness check passes (the database, a live worker for each queue,
    no periodic job late); else 503 with the checks and the problem."""
    ready, checks = readiness()
    return _answer(ready, {"status": "ready" if ready else "not ready", **checks})


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for a scraper with METRICS_TOKEN or on a private address."""
    if not metrics_allowed(request):
        return HttpResponse(
            "Metrics need the METRICS_TOKEN bearer token (or a private address when none is set).\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(metrics_exposition(), content_type=CONTENT_TYPE)


@require_safe
@never_cache
@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    """The development outbox (ops.outbox): the e-mails sent, newest first, with their
    links. Staff only (the messages hold every person's links), and only where the
    outbox is on: elsewhere it does not exist (404)."""
    if not settings.MAIL_OUTBOX or not request.user.is_staff:
        raise Http404("No outbox here.")
    context = {"messages_kept": outbox_messages(), "outbox_dir": settings.MAIL_OUTBOX_DIR}
    return render(request, "ops/outbox.html", context)
