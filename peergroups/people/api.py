"""JSON API for the admins' people work: importing members from a file and reviewing
facilitator applications (Django Ninja router, added by `peergroups.api`).

The import is the page's, all or nothing: a file with any bad row imports nothing and
answers 422 with every row's problem (`errors[].line`, `field` = the column, `message`);
`?dry_run=true` answers what the import would do, as the page's preview, writing nothing.
"""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import ngettext
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from peergroups.errors import Invalid
from peergroups.http import Pagination, error_responses
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import Role
from peergroups.people import services
from peergroups.people.forms import import_size_check
from peergroups.people.imports import ImportInvalid, members_import, members_parse
from peergroups.people.models import FacilitatorStatus
from peergroups.people.selectors import (
    facilitator_profile_for_admin,
    facilitator_profiles_for_admin,
)

router = Router(tags=["administration"])

ORGANIZATION = "/organizations/{org_slug}"
FACILITATOR = ORGANIZATION + "/facilitators/{int:profile_id}"


class FoldOut(Schema):
    kind: str = Field(description="region, industry or function")
    label: str = Field(description="The list entry the spellings fold into.")
    spellings: list[str]
    new: bool = Field(description="The entry joins the organization's list with this import.")


class ImportReportOut(Schema):
    dry_run: bool
    total: int = Field(description="Rows in the file.")
    created: int = Field(description="New invitations.")
    updated: int = Field(description="Members' profiles or open invitations updated.")
    invited: int = Field(description="Invitation e-mails queued (0 on a dry run).")
    warnings: list[str]
    folds: list[FoldOut] = Field(
        description="On a dry run: which spellings fold into which list entry."
    )


class ImportOptions(Schema):
    dry_run: bool = Field(False, description="Check the file and say what would happen.")
    send_invitations: bool = Field(True, description="E-mail each new invitation.")


def _row_errors(invalid: ImportInvalid) -> Invalid:
    errors = [
        {"field": error.column, "message": error.reason, "line": error.line}
        for error in invalid.errors
    ]
    count = len(errors)
    return Invalid(
        ngettext(
            "%(count)s problem in the file; nothing was imported.",
            "%(count)s problems in the file; nothing was imported.",
            count,
        )
        % {"count": count},
        errors=errors,
    )


@router.post(
    ORGANIZATION + "/members/import",
    response={200: ImportReportOut, **error_responses(403, 404, 413, 422)},
    url_name="api-members-import",
)
def member_import(
    request: HttpRequest,
    org_slug: str,
    options: Query[ImportOptions],
    file: File[UploadedFile],
):
    """Import members from a CSV or .xlsx file (admins), the columns of the import page.
    A row for a member updates their profile; any other row becomes an invitation."""
    access = organization_access(request.auth, org_slug)
    access.require(Role.ADMIN)
    import_size_check(file.size)
    data = file.read()
    try:
        if options.dry_run:
            plan = members_parse(organization=access.organization, file=data)
            report = {"created": plan.created, "updated": plan.updated, "invited": 0}
            warnings, folds = plan.warnings, plan.folds
        else:
            done = members_import(
                organization=access.organization,
                file=data,
                acting_user=request.auth,
                send_invitations=options.send_invitations,
            )
            report = {"created": done.created, "updated": done.updated, "invited": done.invited}
            warnings, folds = list(done.warnings), []
    except ImportInvalid as invalid:
        raise _row_errors(invalid) from None
    return {
        "dry_run": options.dry_run,
        "total": report["created"] + report["updated"],
        **report,
        "warnings": warnings,
        "folds": [
            {"kind": f.kind, "label": f.label, "spellings": list(f.spellings), "new": f.new}
            for f in folds
        ],
    }


class FacilitatorPersonOut(Schema):
    id: int
    email: str
    full_name: str


class FacilitatorApplicationOut(Schema):
    id: int
    user: FacilitatorPersonOut
    status: str
    built_own_business: bool
    trained_feedback_coach: bool
    expertise: list[str]
    capacity: int
    applied_at: datetime
    reviewed_at: datetime | None
    gaps: list[str] = Field(description="What keeps the application from approval.")

    @staticmethod
    def resolve_gaps(profile) -> list[str]:
        return profile.qualification_gaps()


class FacilitatorFilters(Schema):
    status: Literal["pending", "approved", "rejected"] = FacilitatorStatus.PENDING


class ReviewIn(Schema):
    note: str = Field("", max_length=2000, description="Sent to the applicant with the decision.")


@router.get(
    ORGANIZATION + "/facilitators",
    response={200: list[FacilitatorApplicationOut], **error_responses(403, 404)},
    url_name="api-facilitators",
)
@paginate(Pagination)
def facilitator_list(request: HttpRequest, org_slug: str, filters: Query[FacilitatorFilters]):
    """Facilitator applications in one state (default: waiting), oldest first (admins)."""
    access = organization_access(request.auth, org_slug)
    return facilitator_profiles_for_admin(access=access, status=filters.status)


REVIEW = {200: FacilitatorApplicationOut, **error_responses(403, 404, 409)}


@router.post(FACILITATOR + "/approve", response=REVIEW, url_name="api-facilitator-approve")
def facilitator_approve(request: HttpRequest, org_slug: str, profile_id: int, payload: ReviewIn):
    """Approve an application (admins): the applicant becomes a facilitator. One that
    misses a qualification, or is approved already, answers 409 with why."""
    access = organization_access(request.auth, org_slug)
    profile = facilitator_profile_for_admin(access=access, profile_id=profile_id)
    return services.facilitator_approve(
        profile=profile, acting_user=request.auth, note=payload.note
    )


@router.post(FACILITATOR + "/refuse", response=REVIEW, url_name="api-facilitator-refuse")
def facilitator_refuse(request: HttpRequest, org_slug: str, profile_id: int, payload: ReviewIn):
    """Decline an application (admins); an approved facilitator answers 409."""
    access = organization_access(request.auth, org_slug)
    profile = facilitator_profile_for_admin(access=access, profile_id=profile_id)
    return services.facilitator_reject(profile=profile, acting_user=request.auth, note=payload.note)
