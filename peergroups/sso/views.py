"""Single sign-on pages: the admins' settings, the "work e-mail" question, and the two
ends of a sign-in at the organization's provider (start and callback)."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from peergroups.accounts.throttle import Rule, throttle_check, throttle_hit
from peergroups.errors import Invalid
from peergroups.http import client_address, form_add_invalid, form_status
from peergroups.organizations.access import OrgAccess, org_render, org_view
from peergroups.organizations.models import Role
from peergroups.organizations.viewer import VIEWER_BACKEND
from peergroups.sso import oidc
from peergroups.sso.forms import SignOnFindForm, SignOnSettingsForm
from peergroups.sso.services import (
    INVITED,
    JOINED,
    sign_on_admit,
    sign_on_enabled,
    sign_on_organizations_for_email,
    sign_on_provider,
    sign_on_redirect_uri,
    sign_on_settings_of,
    sign_on_settings_update,
)

PENDING = "sso_pending"  # the session key of a sign-in started at a provider
# Each start calls the provider and writes a session row, so starts are counted per
# address; generous, since a whole office signs in from behind one address at nine.
SIGN_ON_ADDRESS = Rule(
    "sso:address",
    300,
    timedelta(minutes=15),
    gettext_lazy("Too many sign-ins started from your network. Wait a few minutes."),
)


@org_view(Role.ADMIN)
def sign_on_settings(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    organization = access.organization
    current = sign_on_settings_of(organization=organization)
    initial = {
        "enabled": current.enabled,
        "issuer": current.issuer,
        "client_id": current.client_id,
        "allowed_domains": "\n".join(current.allowed_domains or []),
    }
    form = SignOnSettingsForm(request.POST or None, initial=initial, has_secret=current.has_secret)
    if request.method == "POST" and form.is_valid():
        try:
            sign_on_settings_update(
                organization=organization, acting_user=request.user, **form.cleaned_data
            )
        except Invalid as refusal:
            form_add_invalid(form, refusal)
        else:
            messages.success(request, _("Sign-on settings saved."))
            return redirect("sso-settings", org_slug=organization.slug)
    return org_render(
        request,
        access,
        "sso/settings.html",
        {
            "form": form,
            "sign_on": current,
            "redirect_uri": sign_on_redirect_uri(organization=organization),
            "start_url": settings.BASE_URL + reverse("sso-start", args=[organization.slug]),
        },
        status=form_status(request),
    )


def sign_on_find(request: HttpRequest) -> HttpResponse:
    """Which organization's provider signs in a work e-mail: by its domain only."""
    # Bound on every POST, an empty one too: it comes back with "required", at 422.
    form = SignOnFindForm(request.POST if request.method == "POST" else None)
    found = None
    if request.method == "POST" and form.is_valid():
        found = sign_on_organizations_for_email(email=form.cleaned_data["email"])
        if not found:
            form.add_error(
                "email",
                _(
                    "No organization here signs in people of this domain with a company "
                    "account. Use the link your program admin sent, or your password."
                ),
            )
    # A form POST may not be redirected to another site (the CSP's form-action), so the
    # way on to the provider is a link on this page, which starts the sign-in.
    return render(
        request,
        "sso/find.html",
        {"form": form, "found": found},
        status=form_status(request) if form.errors else 200,
    )


@require_safe
def sign_on_start(request: HttpRequest, org_slug: str) -> HttpResponse:
    sign_on = sign_on_enabled(org_slug=org_slug)
    address = client_address(request)
    throttle_check((SIGN_ON_ADDRESS, address))
    throttle_hit((SIGN_ON_ADDRESS, address))
    url, pending = oidc.authorization_start(sign_on_provider(sign_on=sign_on))
    request.session[PENDING] = {**pending, "organization": sign_on.organization_id}
    return redirect(url)


@require_safe
def sign_on_callback(request: HttpRequest, org_slug: str) -> HttpResponse:
    sign_on = sign_on_enabled(org_slug=org_slug)
    # Spent now, whatever follows: a second callback with the same answer finds nothing.
    pending = request.session.pop(PENDING, None)
    if pending and pending.get("organization") != sign_on.organization_id:
        pending = None  # started for another organization: its state is not this one's
    identity = oidc.authorization_finish(
        sign_on_provider(sign_on=sign_on), pending=pending, params=request.GET.dict()
    )
    organization = sign_on.organization
    user, how = sign_on_admit(organization=organization, identity=identity)
    login(request, user, backend=VIEWER_BACKEND)
    if how == JOINED:
        messages.success(request, _("Welcome to %(name)s.") % {"name": organization.name})
    elif how == INVITED:
        messages.success(
            request,
            _("Welcome to %(name)s: your invitation is accepted.") % {"name": organization.name},
        )
    return redirect("organizations-dashboard", org_slug=organization.slug)
