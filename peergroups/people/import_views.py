"""The admin's import (CSV or .xlsx, previewed before anything is written) and CSV export
of members."""

import secrets

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_safe

from peergroups.formats import csv_text, natural_key
from peergroups.http import FORM_INVALID, csv_response, form_status
from peergroups.organizations.access import OrgAccess, org_render, org_view
from peergroups.organizations.models import Role
from peergroups.people.forms import MemberImportForm
from peergroups.people.imports import (
    COLUMNS,
    MAX_IMPORT_BYTES,
    ImportInvalid,
    RowError,
    members_export,
    members_import,
    members_parse,
)

PENDING = "member_import_pending"  # the session's note of the file waiting for confirmation
PREVIEW_ROWS = 50


def example_csv(program: str) -> str:
    """A file that imports cleanly: two people of the organization's first program (a row
    names only people of its own program), or without a program and a manager when it has none.
    """
    header = [
        "email",
        "full_name",
        "region",
        "time_zone",
        "industry",
        "function",
        "management_level",
        "team_size",
        "years_managing",
        "company",
        "expertise",
        "availability",
        "reports_to",
        "competitors",
        "program",
    ]
    dana = ["dana.lee@example.com", "Dana Lee", "Boston", "America/New_York", "Biotech"]
    dana += ["Research", "senior", "24", "8", "Helix Bio", "hiring;finance", "tue-am;thu-pm"]
    sam = ["sam.ortiz@example.com", "Sam Ortiz", "Boston", "America/New_York", "Biotech"]
    sam += ["Operations", "middle", "9", "3", "Helix Bio", "operations;team-building", "tue-am"]
    return csv_text(
        header,
        [
            [*dana, "", "Genova Therapeutics", program],
            [*sam, "dana.lee@example.com" if program else "", "", program],
        ],
    )


def _pending_drop(request: HttpRequest) -> None:
    pending = request.session.pop(PENDING, None)
    if pending and default_storage.exists(pending["path"]):
        default_storage.delete(pending["path"])


def _pending_keep(request: HttpRequest, access: OrgAccess, data: bytes) -> str:
    """Keep the checked file until the admin confirms (one per session; the file is the
    organization's people, so it is deleted when imported or replaced)."""
    _pending_drop(request)
    token = secrets.token_urlsafe(16)
    path = default_storage.save(
        f"imports/{access.organization.pk}/{secrets.token_hex(16)}", ContentFile(data)
    )
    request.session[PENDING] = {
        "token": token,
        "path": path,
        "organization": access.organization.pk,
    }
    return token


def _render(request, access, form, *, row_errors=(), plan=None, token="", status=200):
    return org_render(
        request,
        access,
        "people/member_import.html",
        {
            "form": form,
            "row_errors": row_errors,
            "columns": COLUMNS,
            "plan": plan,
            "preview_rows": plan.rows[:PREVIEW_ROWS] if plan else [],
            "token": token,
            "send_invitations": form.cleaned_data.get("send_invitations")
            if plan and hasattr(form, "cleaned_data")
            else False,
            "max_megabytes": MAX_IMPORT_BYTES // (1024 * 1024),
        },
        status=status,
    )


@org_view(Role.ADMIN)
def member_import(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """Upload, preview, confirm: the file is checked and shown (who is invited, who is
    updated, which spellings fold into which list entry) before anything is written."""
    if request.GET.get("example"):
        programs = sorted(access.organization.programs.all(), key=lambda p: natural_key(p.name))
        example = example_csv(programs[0].name if programs else "")
        return csv_response(example, "members-example.csv")
    if request.method == "POST" and request.POST.get("action") == "confirm":
        return _confirm(request, access)
    form = MemberImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            plan = members_parse(organization=access.organization, file=data)
        except ImportInvalid as invalid:
            return _render(request, access, form, row_errors=invalid.errors, status=FORM_INVALID)
        token = _pending_keep(request, access, data)
        return _render(request, access, form, plan=plan, token=token)
    status = form_status(request)
    return _render(request, access, form, status=status)


def _confirm(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    pending = request.session.get(PENDING) or {}
    form = MemberImportForm()
    if (
        not pending
        or pending.get("organization") != access.organization.pk
        or not secrets.compare_digest(pending.get("token", ""), request.POST.get("token", ""))
        or not default_storage.exists(pending["path"])
    ):
        errors = [
            RowError(0, "", gettext("This preview is no longer current; upload the file again."))
        ]
        return _render(request, access, form, row_errors=errors, status=FORM_INVALID)
    with default_storage.open(pending["path"], "rb") as handle:
        data = handle.read()
    try:
        report = members_import(
            organization=access.organization,
            file=data,
            acting_user=request.user,
            send_invitations=request.POST.get("send_invitations") == "on",
        )
    except ImportInvalid as invalid:
        # The organization changed since the preview (say, someone was invited meanwhile).
        _pending_drop(request)
        return _render(request, access, form, row_errors=invalid.errors, status=FORM_INVALID)
    _pending_drop(request)
    # The same words whether or not an address has an account anywhere.
    message = " ".join(
        [
            ngettext("Imported %(count)s row:", "Imported %(count)s rows:", report.total)
            % {"count": report.total},
            ngettext(
                "%(count)s new invitation, %(updated)s updated.",
                "%(count)s new invitations, %(updated)s updated.",
                report.created,
            )
            % {"count": report.created, "updated": report.updated},
        ]
    )
    if report.invited:
        message += " " + ngettext(
            "%(count)s e-mail queued.", "%(count)s e-mails queued.", report.invited
        ) % {"count": report.invited}
    messages.success(request, message)
    for warning in report.warnings:
        messages.warning(request, warning)
    return redirect("organizations-members", org_slug=access.organization.slug)


@require_safe
@org_view(Role.ADMIN)
def member_export(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    # The byte-order mark makes Excel read the file as UTF-8; the import accepts it.
    content = members_export(organization=access.organization, acting_user=request.user)
    return csv_response(content, f"members-{access.organization.slug}.csv")
