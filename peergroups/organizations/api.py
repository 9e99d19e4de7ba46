"""JSON API for what an organization's admins do on its own pages: invitations and the
audit log (Django Ninja router, added by `peergroups.api`).

The same services and selectors as the pages: a refusal reads the same here, as JSON
`{"detail", "errors"}`. Lists answer `{"count", "items"}` with `?limit=&offset=`.
"""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from peergroups.errors import Invalid
from peergroups.http import Pagination, error_responses
from peergroups.organizations import services
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import (
    Role,
)
from peergroups.organizations.selectors import (
    audit_log,
    audit_rows,
    invitations_for_admin,
)

router = Router(tags=["administration"])

ORGANIZATION = "/organizations/{org_slug}"
INVITATION = ORGANIZATION + "/invitations/{int:invitation_id}"
READ = error_responses(403, 404)
WRITE = error_responses(403, 404, 409, 422)


class InvitationProgramOut(Schema):
    id: int
    name: str


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    program: InvitationProgramOut | None
    status: str = Field(description="open, accepted or expired (a revoked one is expired).")
    created_at: datetime
    expires_at: datetime
    sent_at: datetime | None
    send_failed_at: datetime | None = Field(description="Set while the e-mail is not delivered.")
    send_error: str
    accepted_at: datetime | None

    @staticmethod
    def resolve_status(invitation) -> str:
        if invitation.is_used:
            return "accepted"
        return "expired" if invitation.is_expired else "open"


class InvitationIn(Schema):
    email: str = Field(..., max_length=254)
    role: Role = Field(Role.MEMBER, description="member, facilitator or admin.")
    program_id: int | None = Field(None, description="The program a member joins.")


class InvitationFilters(Schema):
    status: Literal["open", "accepted", "expired", ""] = Field(
        "", description="open, accepted or expired; empty: every invitation."
    )


@router.get(
    ORGANIZATION + "/invitations",
    response={200: list[InvitationOut], **READ},
    url_name="api-invitations",
)
@paginate(Pagination)
def invitation_list(request: HttpRequest, org_slug: str, filters: Query[InvitationFilters]):
    """The organization's invitations, newest first (admins), as the invitations page."""
    access = organization_access(request.auth, org_slug)
    return invitations_for_admin(access=access, status=filters.status)


@router.post(
    ORGANIZATION + "/invitations",
    response={201: InvitationOut, **WRITE},
    url_name="api-invitations",
)
def invitation_create(request: HttpRequest, org_slug: str, payload: InvitationIn):
    """Invite a person (admins); the e-mail goes out in a moment. An address with an open
    invitation answers 409."""
    access = organization_access(request.auth, org_slug)
    program = None
    if payload.program_id is not None:
        program = access.organization.programs.filter(pk=payload.program_id).first()
        if program is None:
            raise Invalid(gettext("No such program in this organization."), field="program_id")
    invitation, _token = services.invitation_create(
        organization=access.organization,
        email=payload.email,
        role=payload.role,
        program=program,
        acting_user=request.auth,
    )
    return Status(201, invitation)


@router.post(
    INVITATION + "/resend", response={200: InvitationOut, **WRITE}, url_name="api-invitation-resend"
)
def invitation_resend(request: HttpRequest, org_slug: str, invitation_id: int):
    """E-mail an invitation again (admins); an expired one gets a new link. An accepted
    one answers 409."""
    access = organization_access(request.auth, org_slug)
    return services.invitation_resend(
        organization=access.organization, acting_user=request.auth, invitation_id=invitation_id
    )


@router.post(
    INVITATION + "/revoke", response={200: InvitationOut, **WRITE}, url_name="api-invitation-revoke"
)
def invitation_revoke(request: HttpRequest, org_slug: str, invitation_id: int):
    """Withdraw an invitation (admins): its link stops working now. An accepted one
    answers 409."""
    access = organization_access(request.auth, org_slug)
    return services.invitation_revoke(
        organization=access.organization, acting_user=request.auth, invitation_id=invitation_id
    )


class AuditFilters(Schema):
    action: str = Field("", max_length=60)
    actor: str = Field("", max_length=254, description="The e-mail of who acted.")
    object_type: str = Field("", max_length=60)
    since: date | None = None
    until: date | None = None


class AuditValueOut(Schema):
    key: str
    value: str | int | float | bool | list | dict | None


class AuditEntryOut(Schema):
    id: int
    time: str = Field(description="ISO 8601; only the day where who acted is withheld from admins.")
    actor: str = Field(description="An e-mail, `system`, or `withheld`.")
    action: str
    object_type: str
    object_id: str
    object: str = Field(description="What changed, in words (a person or group by name).")
    before: list[AuditValueOut]
    after: list[AuditValueOut]


@router.get(
    ORGANIZATION + "/audit",
    response={200: list[AuditEntryOut], **READ},
    url_name="api-audit",
)
@paginate(Pagination)
def audit_read(request: HttpRequest, org_slug: str, filters: Query[AuditFilters]):
    """The audit log, newest first (admins), with the page's rule: a row whose doer the
    admins may not know (an anonymous question, a group's own resource) names nobody,
    shows the day only, and is not found by the actor filter."""
    access = organization_access(request.auth, org_slug)
    return AuditPage(
        audit_log(access=access, actor_email=filters.actor, **filters.dict(exclude={"actor"}))
    )


class AuditPage:
    """The log's queryset, counted and sliced by the paginator; a slice is named in words
    (`audit_rows`: one query per kind of object on the page, not per row)."""

    def __init__(self, entries):
        self.entries = entries

    def count(self) -> int:
        return self.entries.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[dict]:
        return [
            {
                "id": row["entry"].pk,
                "time": row["entry"].shown_time,
                "actor": row["entry"].actor_label,
                "action": row["entry"].action,
                "object_type": row["entry"].object_type,
                "object_id": row["entry"].object_id,
                "object": row["object"],
                "before": [{"key": k, "value": v} for k, v in row["before"]],
                "after": [{"key": k, "value": v} for k, v in row["after"]],
            }
            for row in audit_rows(self.entries[window])
        ]
