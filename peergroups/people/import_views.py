"""The admin's CSV import and export of members."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from peergroups.formats import csv_text, natural_key
from peergroups.http import csv_response
from peergroups.organizations.access import OrgAccess, org_render, org_view
from peergroups.organizations.models import Role
from peergroups.people.forms import MemberImportForm
from peergroups.people.imports import (
    COLUMNS,
    ImportInvalid,
    members_export,
    members_import,
)


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


@org_view(Role.ADMIN)
def member_import(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    if request.GET.get("example"):
        programs = sorted(access.organization.programs.all(), key=lambda p: natural_key(p.name))
        example = example_csv(programs[0].name if programs else "")
        return csv_response(example, "members-example.csv")
    form = MemberImportForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            report = members_import(
                organization=access.organization,
                file=form.cleaned_data["file"],
                acting_user=request.user,
                send_invitations=form.cleaned_data["send_invitations"],
            )
        except ImportInvalid as invalid:
            row_errors = invalid.errors
        else:
            # The same words whether or not an address has an account anywhere.
            message = (
                f"Imported {report.total} row{'s' if report.total != 1 else ''}: "
                f"{report.created} new invitation{'s' if report.created != 1 else ''}, "
                f"{report.updated} updated."
            )
            if report.invited:
                message += f" {report.invited} e-mail{'s' if report.invited != 1 else ''} queued."
            messages.success(request, message)
            return redirect("organizations-members", org_slug=access.organization.slug)
    status = 400 if request.method == "POST" else 200
    return org_render(
        request,
        access,
        "people/member_import.html",
        {"form": form, "row_errors": row_errors, "columns": COLUMNS},
        status=status,
    )


@require_safe
@org_view(Role.ADMIN)
def member_export(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    # The byte-order mark makes Excel read the file as UTF-8; the import accepts it.
    content = members_export(organization=access.organization, acting_user=request.user)
    return csv_response(content, f"members-{access.organization.slug}.csv")
