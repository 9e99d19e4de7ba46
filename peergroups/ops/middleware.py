"""Probes answer before the rest of the stack: on plain HTTP and for any `Host`.

A load balancer checks each backend by its address (`Host: 10.0.0.5:8000`) over plain
HTTP; ALLOWED_HOSTS would answer it 400 and SECURE_SSL_REDIRECT 301, so a healthy
process would look dead. The probes read nothing from the request and set no cookie,
so answering them ahead of those checks opens nothing. Must come first in MIDDLEWARE.
"""

from django.http import HttpRequest, HttpResponse

from peergroups.ops import views

PROBES = {"/healthz": views.healthz, "/readyz": views.readyz, "/metrics": views.metrics}


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in {"GET", "HEAD"}:
            return probe(request)
        return self.get_response(request)
