"""The admin's pages for programs, invitations and the audit log (the dashboards that
gather other apps' figures live in peergroups.dashboards)."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from peergroups.audit.selectors import audit_actions, audit_csv
from peergroups.audit.services import audit_record
from peergroups.errors import Conflict, Gone, Invalid, NotFound, Refused
from peergroups.http import csv_response, form_add_invalid, form_status
from peergroups.organizations import services
from peergroups.organizations.access import OrgAccess, org_render, org_view
from peergroups.organizations.forms import (
    AuditFilterForm,
    FirstRunForm,
    InvitationForm,
    OrganizationSettingsForm,
)
from peergroups.organizations.models import Organization, Role
from peergroups.organizations.selectors import audit_log as audit_log_entries
from peergroups.organizations.selectors import audit_rows, invitations_for_admin
from peergroups.organizations.viewer import VIEWER_BACKEND

logger = logging.getLogger("peergroups.first_run")


def home(request: HttpRequest) -> HttpResponse:
    """Send a signed-in person to the organization they used last (or their only one);
    on an install with no organization yet, to the first-run page."""
    if not request.user.is_authenticated:
        if not Organization.objects.exists():
            return redirect("organizations-first-run")
        return redirect("login")
    organizations = list(
        Organization.objects.filter(roles__user=request.user).distinct().order_by("name")
    )
    slugs = {o.slug for o in organizations}
    last = request.session.get("last_org")
    if last in slugs:
        return redirect("organizations-dashboard", org_slug=last)
    if len(organizations) == 1:
        return redirect("organizations-dashboard", org_slug=organizations[0].slug)
    return render(request, "organizations/home.html", {"organizations": organizations})


def first_run(request: HttpRequest) -> HttpResponse:
    """Create the install's first organization and its admin, with the setup key that
    `make run` and the server log print; gone once an organization exists."""
    if Organization.objects.exists():
        raise NotFound(gettext("This install has its organizations; sign in instead."))
    key = services.first_run_key_current()
    if request.method == "GET":
        if key:
            logger.warning(
                "No organization yet: open %s/setup/ and enter the setup key %s",
                settings.BASE_URL,
                key,
            )
        else:
            logger.warning("No organization yet: run “manage.py setup_key” for the setup key.")
    form = FirstRunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization, admin = services.organization_first_run(
                setup_key=form.cleaned_data["setup_key"],
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
                admin_email=form.cleaned_data["admin_email"],
                admin_name=form.cleaned_data["admin_name"],
                password=form.cleaned_data["password"],
            )
        except Gone:
            return redirect("login")
        except (Conflict, Invalid, Refused) as refusal:
            form_add_invalid(form, refusal)
        else:
            login(request, admin, backend=VIEWER_BACKEND)
            messages.success(
                request,
                gettext(
                    "“%(organization_name)s” is ready. Check its settings, then create a program."
                )
                % {"organization_name": organization.name},
            )
            return redirect("organizations-settings", org_slug=organization.slug)
    status = form_status(request)
    return render(
        request,
        "organizations/first_run.html",
        {"form": form, "has_key": key is not None},
        status=status,
    )


@org_view(Role.ADMIN)
def organization_settings(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    form = OrganizationSettingsForm.for_organization(access.organization, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_settings_update(
                organization=access.organization, acting_user=request.user, **form.cleaned_data
            )
        except Invalid as refusal:
            form_add_invalid(form, refusal)
        else:
            messages.success(request, gettext("Settings saved."))
            return redirect("organizations-settings", org_slug=access.organization.slug)
    status = form_status(request)
    return org_render(request, access, "organizations/settings.html", {"form": form}, status=status)


@org_view(Role.ADMIN)
def invitation_list(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    form = InvitationForm(request.POST or None, organization=access.organization)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                organization=access.organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                program=form.cleaned_data["program"],
                acting_user=request.user,
            )
        except (Conflict, Invalid) as refusal:  # the service's rule, shown beside the form
            form_add_invalid(form, refusal, field_map={"": "email"})
        else:
            messages.success(
                request,
                gettext(
                    "Invitation to %(invitation_email)s queued: it is e-mailed in a moment, and "
                    "the funnel shows it if the mail server cannot deliver it."
                )
                % {"invitation_email": invitation.email},
            )
            return redirect("organizations-invitations", org_slug=access.organization.slug)
    invitations = invitations_for_admin(access=access)[:200]
    status = form_status(request)
    return org_render(
        request,
        access,
        "organizations/invitations.html",
        {"form": form, "invitations": invitations},
        status=status,
    )


AUDIT_PER_PAGE = 100


def _audit_filtered(request: HttpRequest, access: OrgAccess):
    form = AuditFilterForm(
        request.GET or None, actions=audit_actions(organization=access.organization)
    )
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_log_entries(
        access=access,
        action=filters.get("action", ""),
        actor_email=filters.get("actor", ""),
        object_type=filters.get("object_type", ""),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    return form, entries


@require_safe
@org_view(Role.ADMIN)
def audit_log(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """Who changed who sees what in this organization, newest first."""
    form, entries = _audit_filtered(request, access)
    page = Paginator(entries, AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return org_render(
        request,
        access,
        "organizations/audit_log.html",
        {"form": form, "page": page, "rows": audit_rows(page), "query": query.urlencode()},
    )


@require_safe
@org_view(Role.ADMIN)
def audit_export(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """The filtered log as CSV. An export is itself a row in the log."""
    _form, entries = _audit_filtered(request, access)
    content = audit_csv(entries)
    audit_record(
        organization=access.organization,
        actor=request.user,
        action="audit_export",
        before={},
        after={"rows": content.count("\n") - 1},
    )
    return csv_response(content, f"audit-{access.organization.slug}.csv")
