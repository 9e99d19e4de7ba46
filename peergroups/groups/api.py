"""JSON API for running groups and programs after publish (Django Ninja router): the
same services as the group's editing page and the program's edit page.

A group's and a program's `version` goes up on every edit; send the one you read with
an edit, and an edit made from an older one answers 409 with the current values in
words, nothing saved. A move asks the one conflict rule (`people.conflicts`) as the
page does. Admins read the pairs that may no longer share their group (the operations
board's flag) at `/group-conflicts`, with names and never a reason.
"""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from peergroups.groups import services
from peergroups.groups.models import MEMBERSHIP_REASON_MAX
from peergroups.groups.selectors import group_conflicts, group_for_user, groups_for_admin
from peergroups.groups.services import GROUP_NAME_MAX
from peergroups.http import ID_MAX, Pagination, error_responses
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import (
    PROGRAM_DESCRIPTION_MAX,
    PROGRAM_NAME_MAX,
    GroupingBasis,
    MeetingCadence,
    Role,
)
from peergroups.organizations.selectors import program_for_admin, programs_with_counts

router = Router(tags=["groups"])

# Integer ids in the path: "/groups/extra" stays an unknown endpoint (JSON 404).
GROUP = "/organizations/{org_slug}/groups/{int:group_id}"
PROGRAM = "/organizations/{org_slug}/programs/{int:program_id}"
EDIT = error_responses(403, 404, 409, 422)


class GroupOut(Schema):
    id: int
    name: str
    program_id: int
    cycle: int
    facilitator_id: int | None
    member_count: int
    capacity: int
    closed_at: datetime | None
    version: int


class GroupEditIn(Schema):
    name: str | None = Field(None, max_length=GROUP_NAME_MAX, description="A new name.")
    facilitator_id: int | None = Field(
        None, description="Another approved facilitator (admins); with `no_facilitator` none."
    )
    no_facilitator: bool = Field(False, description="Take the group's facilitator away.")
    version: int | None = Field(None, description="The group's `version` as you read it.")


class GroupMoveIn(Schema):
    user_id: int
    to_group_id: int
    reason: str = Field("", max_length=MEMBERSHIP_REASON_MAX, description="For admins only.")


class GroupMoveOut(Schema):
    user_id: int
    from_group_id: int
    to_group_id: int
    created_at: datetime


class ProgramEditIn(Schema):
    name: str = Field(..., max_length=PROGRAM_NAME_MAX)
    description: str = Field("", max_length=PROGRAM_DESCRIPTION_MAX)
    min_group_size: int
    max_group_size: int
    open_seats: int
    meeting_cadence: MeetingCadence
    grouping_basis: GroupingBasis
    version: int | None = Field(None, description="The program's `version` as you read it.")


class ProgramSettingsOut(Schema):
    id: int
    name: str
    description: str
    min_group_size: int
    max_group_size: int
    open_seats: int
    meeting_cadence: str
    grouping_basis: str
    version: int


class GroupConflictOut(Schema):
    group_id: int
    group_name: str
    user_ids: list[int]
    names: list[str]
    sentence: str


def _group(group) -> dict:
    return {
        "id": group.pk,
        "name": group.name,
        "program_id": group.program_id,
        "cycle": group.cycle,
        "facilitator_id": group.facilitator_id,
        "member_count": group.member_count,
        "capacity": group.capacity,
        "closed_at": group.closed_at,
        "version": group.version,
    }


@router.get(GROUP, response={200: GroupOut, **error_responses(403, 404)}, url_name="api-group")
def group_read(request: HttpRequest, org_slug: str, group_id: int):
    """The group's facts (its members, facilitator and admins): never its content."""
    access = organization_access(request.auth, org_slug)
    return _group(group_for_user(user=request.auth, access=access, group_id=group_id))


@router.patch(GROUP, response={200: GroupOut, **EDIT}, url_name="api-group")
def group_edit(request: HttpRequest, org_slug: str, group_id: int, payload: GroupEditIn):
    """Rename the group (admins and its facilitator) or change its facilitator (admins)."""
    access = organization_access(request.auth, org_slug)
    group = group_for_user(user=request.auth, access=access, group_id=group_id)
    common = {"access": access, "acting_user": request.auth}
    version = payload.version
    if payload.name is not None:
        group = services.group_rename(**common, group=group, name=payload.name, version=version)
        version = None if version is None else group.version
    if payload.facilitator_id is not None or payload.no_facilitator:
        group = services.group_facilitator_change(
            **common,
            group=group,
            facilitator_id=None if payload.no_facilitator else payload.facilitator_id,
            version=version,
        )
    group.refresh_from_db()
    return _group(group)


@router.post(GROUP + "/moves", response={201: GroupMoveOut, **EDIT}, url_name="api-group-move")
def group_move(request: HttpRequest, org_slug: str, group_id: int, payload: GroupMoveIn):
    """Move a member to another open group of the same program and cycle (admins). A
    full group, or a pair kept apart (named, never why), answers 409."""
    access = organization_access(request.auth, org_slug)
    group = group_for_user(user=request.auth, access=access, group_id=group_id)
    change = services.membership_move(
        access=access,
        acting_user=request.auth,
        group=group,
        user_id=payload.user_id,
        to_group_id=payload.to_group_id,
        reason=payload.reason,
    )
    return Status(
        201,
        {
            "user_id": change.user_id,
            "from_group_id": change.from_group_id,
            "to_group_id": change.to_group_id,
            "created_at": change.created_at,
        },
    )


class GroupFilters(Schema):
    program: int | None = Field(None, ge=1, le=ID_MAX, description="A program id.")
    state: Literal["open", "closed", ""] = Field("", description="open or closed; empty: both.")


@router.get(
    "/organizations/{org_slug}/groups",
    response={200: list[GroupOut], **error_responses(403, 404)},
    url_name="api-groups",
)
@paginate(Pagination)
def group_list(request: HttpRequest, org_slug: str, filters: Query[GroupFilters]):
    """The organization's groups (admins): their facts, never their content."""
    access = organization_access(request.auth, org_slug)
    return groups_for_admin(access=access, program_id=filters.program, state=filters.state)


class GroupCloseIn(Schema):
    version: int | None = Field(None, description="The group's `version` as you read it.")


@router.post(GROUP + "/close", response={200: GroupOut, **EDIT}, url_name="api-group-close")
def group_close(request: HttpRequest, org_slug: str, group_id: int, payload: GroupCloseIn):
    """Close a group (admins): it keeps its roster and history and takes no one new. A
    closed group, or an older `version`, answers 409."""
    access = organization_access(request.auth, org_slug)
    group = group_for_user(user=request.auth, access=access, group_id=group_id)
    return _group(
        services.group_close(
            access=access, acting_user=request.auth, group=group, version=payload.version
        )
    )


class GroupWithdrawIn(Schema):
    user_id: int
    reason: str = Field("", max_length=MEMBERSHIP_REASON_MAX, description="For admins only.")


class GroupWithdrawOut(Schema):
    user_id: int
    from_group_id: int
    created_at: datetime


@router.post(
    GROUP + "/withdrawals",
    response={201: GroupWithdrawOut, **EDIT},
    url_name="api-group-withdraw",
)
def group_withdraw(request: HttpRequest, org_slug: str, group_id: int, payload: GroupWithdrawIn):
    """Take a member out of the group after publish (admins); what they wrote stays."""
    access = organization_access(request.auth, org_slug)
    group = group_for_user(user=request.auth, access=access, group_id=group_id)
    change = services.membership_withdraw(
        access=access,
        acting_user=request.auth,
        group=group,
        user_id=payload.user_id,
        reason=payload.reason,
    )
    return Status(
        201,
        {
            "user_id": change.user_id,
            "from_group_id": change.from_group_id,
            "created_at": change.created_at,
        },
    )


class ProgramListOut(Schema):
    id: int
    name: str
    description: str
    min_group_size: int
    max_group_size: int
    open_seats: int
    grouping_basis: str
    meeting_cadence: str
    starts_on: date | None
    created_at: datetime
    version: int
    enrolled: int = Field(description="Members whose profile names this program.")
    group_count: int


class ProgramCreateIn(Schema):
    name: str = Field(..., max_length=PROGRAM_NAME_MAX)
    description: str = Field("", max_length=PROGRAM_DESCRIPTION_MAX)
    min_group_size: int = Field(6, description="2 to 10.")
    max_group_size: int = Field(10, description="2 to 10, at least the smallest.")
    open_seats: int = Field(0, description="Seats each new group keeps free for late joiners.")
    meeting_cadence: MeetingCadence = MeetingCadence.MONTHLY
    grouping_basis: GroupingBasis = GroupingBasis.MIXED
    starts_on: date | None = None


@router.get(
    "/organizations/{org_slug}/programs",
    response={200: list[ProgramListOut], **error_responses(403, 404)},
    url_name="api-programs",
    operation_id="peergroups_api_api_program_list",  # its id before it moved here
)
@paginate(Pagination)
def program_list(request: HttpRequest, org_slug: str):
    """The organization's programs with enrolment counts, newest first (admins)."""
    access = organization_access(request.auth, org_slug)
    return programs_with_counts(access=access).order_by("-created_at", "pk")


@router.post(
    "/organizations/{org_slug}/programs",
    response={201: ProgramListOut, **EDIT},
    url_name="api-programs",
)
def program_create(request: HttpRequest, org_slug: str, payload: ProgramCreateIn):
    """Create a program (admins), as the new-program page does. A name another program
    has (in any case) answers 409; a size out of bounds 422."""
    access = organization_access(request.auth, org_slug)
    program = services.program_create(
        organization=access.organization, acting_user=request.auth, **payload.dict()
    )
    return Status(201, programs_with_counts(access=access).get(pk=program.pk))


@router.get(
    PROGRAM, response={200: ProgramSettingsOut, **error_responses(403, 404)}, url_name="api-program"
)
def program_read(request: HttpRequest, org_slug: str, program_id: int):
    """A program's settings with its `version` (admins)."""
    access = organization_access(request.auth, org_slug)
    access.require(Role.ADMIN)
    return program_for_admin(access=access, program_id=program_id)


@router.patch(PROGRAM, response={200: ProgramSettingsOut, **EDIT}, url_name="api-program")
def program_edit(request: HttpRequest, org_slug: str, program_id: int, payload: ProgramEditIn):
    """Edit a program (admins), as its edit page does."""
    access = organization_access(request.auth, org_slug)
    program = services.program_update(
        access=access, acting_user=request.auth, program_id=program_id, **payload.dict()
    )
    return program


@router.get(
    "/organizations/{org_slug}/group-conflicts",
    response={200: list[GroupConflictOut], **error_responses(403, 404)},
    url_name="api-group-conflicts",
)
@paginate(Pagination)
def conflicts_list(request: HttpRequest, org_slug: str):
    """Pairs in open groups that may no longer share them (admins): a reporting line or a
    declaration since publish. Nobody was moved; the names, never the reason."""
    access = organization_access(request.auth, org_slug)
    access.require(Role.ADMIN)
    return [
        {
            "group_id": c.group_id,
            "group_name": c.group_name,
            "user_ids": list(c.user_ids),
            "names": list(c.names),
            "sentence": c.sentence,
        }
        for c in group_conflicts(organization=access.organization)
    ]
