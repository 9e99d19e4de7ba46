"""Readiness for load balancers and orchestrators (liveness is accounts' /healthz)."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from peergroups.ops.services import readiness


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, a task worker was seen recently and no periodic job
    is late; else 503 with the reason."""
    ready, checks = readiness()
    return JsonResponse(
        {"status": "ready" if ready else "not ready", **checks}, status=200 if ready else 503
    )
