"""The SCIM 2.0 endpoint (`/scim/v2/…`, bearer token) and the admins' page of tokens.

The endpoint hands each request to scim2-server's handler over `OrganizationStorage`:
the organization is the token's, never a part of the URL, so one base URL serves every
organization and a token cannot even name another organization's ids.
"""

import json
import logging
from functools import cache

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from scim2_models import Context, SCIMException, UnauthorizedException
from scim2_server.handler import ScimHandler
from scim2_server.requests import ScimRequest
from scim2_server.routing import Operation
from scim2_server.service import ScimService

from peergroups.accounts.models import User
from peergroups.accounts.throttle import API_BAD_TOKEN_ADDRESS, SCIM_TOKEN, throttle_take
from peergroups.errors import Throttled
from peergroups.http import client_address, form_status
from peergroups.organizations.access import OrgAccess, org_render, org_view, organization_access
from peergroups.organizations.models import Role
from peergroups.scim import services
from peergroups.scim.forms import ScimTokenForm
from peergroups.scim.provider import provider
from peergroups.scim.selectors import scim_tokens_for_admin
from peergroups.scim.storage import OrganizationStorage

logger = logging.getLogger(__name__)


class PeergroupsScimService(ScimService):
    def patch_response(self, base_url, resource, response_parameters):
        """200 with the resource, not the 204 RFC 7644 also allows: Okta reads the body."""
        published = self.publish(base_url, resource)
        return self.resource_response(
            published, Context.RESOURCE_REPLACEMENT_RESPONSE, response_parameters
        )


@cache
def scim_service() -> ScimService:
    return PeergroupsScimService(provider())


def _scim_request(request: HttpRequest, path: str) -> ScimRequest:
    return ScimRequest(
        method=request.method or "GET",
        # As the client sees it (behind the proxy: its scheme and host), for meta.location.
        base_url=request.build_absolute_uri(reverse("scim-root")).rstrip("/"),
        path="/" + path.lstrip("/"),  # a base URL given with a trailing slash: //Users
        query=request.GET.dict(),
        headers=dict(request.headers),
        body=request.body,
    )


def _authenticated(request: HttpRequest) -> tuple[OrgAccess, User]:
    """The organization access of the token's creator; a 401 for anything else."""
    scheme, _space, raw = request.headers.get("Authorization", "").partition(" ")
    token = None
    if scheme.lower() == "bearer":
        token = services.scim_token_authenticate(raw_key=raw.strip())
    if token is None:
        throttle_take(API_BAD_TOKEN_ADDRESS, client_address(request))
        raise UnauthorizedException(
            detail=_("Send a live SCIM token of your organization as a Bearer token.")
        )
    throttle_take(SCIM_TOKEN, f"scim-token:{token.pk}")
    access = organization_access(token.created_by, token.organization.slug)
    return access, token.created_by


def _serve(service: ScimService, request: HttpRequest, scim_request: ScimRequest):
    try:
        operation = service.match(scim_request).operation
    except SCIMException:
        operation = None  # an unknown route: answered once the token is checked (401 first)
    if operation is Operation.service_provider_config:
        # Readable without a token (RFC 7643 §5); it holds nothing of an organization.
        with service.provider:
            service.route(scim_request, operation)
            return service.service_provider_config(scim_request.url, scim_request.query)
    access, acting_user = _authenticated(request)
    storage = OrganizationStorage(access=access, acting_user=acting_user)
    return ScimHandler(service, storage).handle(scim_request)


@csrf_exempt
def scim_endpoint(request: HttpRequest, path: str = "") -> HttpResponse:
    service = scim_service()
    try:
        response = _serve(service, request, _scim_request(request, path))
    except Throttled as throttled:
        error = SCIMException(detail=throttled.reason)
        error.status = 429
        response = service.error_response(error)
        response.headers["Retry-After"] = str(throttled.retry_after)
    except SCIMException as error:
        response = service.error_response(error)
    except Exception as error:  # a bug: logged with its traceback, answered as SCIM's 500
        logger.exception("SCIM %s %s failed", request.method, request.path)
        response = service.error_response(error)
    body = b"" if response.body is None else json.dumps(response.body).encode()
    answer = HttpResponse(body, status=int(response.status))
    for name, value in response.headers.items():
        answer[name] = value
    answer["Cache-Control"] = "no-store"
    return answer


@org_view(Role.ADMIN)
def token_list(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """Create a provisioning token (shown once) and see or revoke the organization's."""
    form = ScimTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.scim_token_create(
            access=access, acting_user=request.user, name=form.cleaned_data["name"]
        )
        # Rendered, not redirected: the key never travels through the session.
        form = ScimTokenForm()
    status = form_status(request) if new_key is None else 200
    response = org_render(
        request,
        access,
        "scim/tokens.html",
        {
            "form": form,
            "tokens": scim_tokens_for_admin(access=access),
            "new_key": new_key,
            # Without the trailing slash: providers append "/Users" themselves.
            "base_url": request.build_absolute_uri(reverse("scim-root")).rstrip("/"),
        },
        status=status,
    )
    if new_key:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@org_view(Role.ADMIN)
def token_revoke(request: HttpRequest, access: OrgAccess, token_id: int) -> HttpResponse:
    token = services.scim_token_revoke(access=access, acting_user=request.user, token_id=token_id)
    messages.success(
        request,
        _("Token “%(name)s” revoked. Your identity provider can no longer provision with it.")
        % {"name": token.name},
    )
    return redirect("scim-tokens", org_slug=access.organization.slug)
