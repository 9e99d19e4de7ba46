"""JSON API for goals, commitments and check-ins (Django Ninja router).

The same selectors as the pages decide access and the same services check each write:
my goals and commitments are the caller's own (members only); a group's commitments
are for its members and facilitator (admins 403, other organizations 404). Domain
errors become JSON through the project's error mapping (peergroups.http).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status

from peergroups.errors import NotFound
from peergroups.goals import selectors, services
from peergroups.goals.models import (
    GOAL_MEASURE_MAX,
    GOAL_TEXT_MAX,
    GOAL_TITLE_MAX,
    GOAL_VALUE_DIGITS,
    GOAL_VALUE_MAX,
    GOAL_VALUE_MIN,
    GOAL_VALUE_PLACES,
    CheckInStatus,
    Visibility,
)
from peergroups.http import error_responses
from peergroups.meetings.selectors import group_content_for_user
from peergroups.organizations.access import OrgAccess, organization_access
from peergroups.organizations.models import Role

router = Router(tags=["goals"])

ORG = "/organizations/{org_slug}"

# The one bound of every goal figure (goals.models), as the form and the service use it.
GoalValue = Annotated[
    Decimal,
    Field(
        ge=GOAL_VALUE_MIN,
        le=GOAL_VALUE_MAX,
        max_digits=GOAL_VALUE_DIGITS,
        decimal_places=GOAL_VALUE_PLACES,
        allow_inf_nan=False,
    ),
]

READ = error_responses(403, 404)
WRITE = error_responses(403, 404, 409)


def _access(request: HttpRequest, org_slug: str, *roles: str) -> OrgAccess:
    access = organization_access(request.auth, org_slug)
    if roles:
        access.require(*roles)
    return access


def _group(request: HttpRequest, access: OrgAccess, group_id: int | None):
    """The group the caller chose, or the one they meet in next (the default)."""
    groups = selectors.member_groups(user=request.auth, access=access)
    if group_id is None:
        return groups[0] if groups else None
    chosen = next((g for g in groups if g.pk == group_id), None)
    if chosen is None:
        raise NotFound(gettext("No such group among yours."))
    return chosen


class GoalOut(Schema):
    id: int
    title: str
    why: str
    measure: str
    baseline: Decimal
    target: Decimal
    current: Decimal
    starts_on: date
    due_on: date
    visibility: str
    status: str


class GoalIn(Schema):
    title: str = Field(..., max_length=GOAL_TITLE_MAX)
    why: str = Field("", max_length=GOAL_TEXT_MAX)
    measure: str = Field(..., max_length=GOAL_MEASURE_MAX)
    baseline: GoalValue
    target: GoalValue
    due_on: date
    visibility: Visibility = Visibility.PRIVATE
    group_id: int | None = Field(
        None, description="One of your groups; default: the one you meet in next."
    )


class GoalUpdateIn(Schema):
    value: GoalValue
    note: str = Field("", max_length=GOAL_TEXT_MAX)


class GoalUpdateOut(Schema):
    id: int
    goal_id: int
    value: Decimal
    note: str
    created_at: datetime
    status: str


class CommitmentOut(Schema):
    id: int
    group_id: int
    meeting_id: int | None
    member: str
    member_id: int
    text: str
    due_on: date | None
    outcome: str | None
    outcome_note: str | None


class CommitmentIn(Schema):
    text: str = Field(..., max_length=GOAL_TEXT_MAX)
    due_on: date | None = None
    group_id: int | None = Field(
        None, description="One of your groups; default: the one you meet in next."
    )


class CheckInIn(Schema):
    status: CheckInStatus
    note: str = Field("", max_length=GOAL_TEXT_MAX)


class CheckInOut(Schema):
    id: int
    commitment_id: int
    status: str
    note: str
    created_at: datetime


def _goal(goal) -> dict:
    return {
        "id": goal.pk,
        "title": goal.title,
        "why": goal.why,
        "measure": goal.measure,
        "baseline": goal.baseline,
        "target": goal.target,
        "current": goal.baseline if goal.latest_value is None else goal.latest_value,
        "starts_on": goal.starts_on,
        "due_on": goal.due_on,
        "visibility": goal.visibility,
        "status": goal.status,
    }


def _commitment(c) -> dict:
    return {
        "id": c.pk,
        "group_id": c.group_id,
        "meeting_id": c.meeting_id,
        "member": str(c.member),
        "member_id": c.member_id,
        "text": c.text,
        "due_on": c.due_on,
        "outcome": getattr(c, "outcome", None),
        "outcome_note": getattr(c, "outcome_note", None),
    }


@router.get(ORG + "/goals", response={200: list[GoalOut], **READ}, url_name="api-goals")
def goals_list(request, org_slug: str):
    """The caller's own key goals, with their derived status. Members only."""
    access = _access(request, org_slug, Role.MEMBER)
    return [_goal(g) for g in selectors.goals_of_member(user=request.auth, access=access)]


@router.post(ORG + "/goals", response={201: GoalOut, **READ}, url_name="api-goals")
def goal_create(request, org_slug: str, payload: GoalIn):
    """A key goal; shared with `group_id` (one of yours) or the group you meet in next."""
    access = _access(request, org_slug, Role.MEMBER)
    fields = payload.dict(exclude={"group_id"})
    goal = services.goal_create(
        organization=access.organization,
        owner=request.auth,
        group=_group(request, access, payload.group_id),
        **fields,
    )
    return Status(
        201, _goal(selectors.goal_for_user(user=request.auth, access=access, goal_id=goal.pk))
    )


@router.post(
    ORG + "/goals/{goal_id}/updates",
    response={201: GoalUpdateOut, **WRITE},
    url_name="api-goals-updates",
)
def goal_update_create(request, org_slug: str, goal_id: int, payload: GoalUpdateIn):
    """Record progress on one of the caller's goals (its owner only; 409 once dropped)."""
    access = _access(request, org_slug)
    goal = selectors.goal_for_user(user=request.auth, access=access, goal_id=goal_id)
    update = services.goal_progress_add(
        goal=goal, value=payload.value, note=payload.note, acting_user=request.auth
    )
    goal = selectors.goal_for_user(user=request.auth, access=access, goal_id=goal_id)
    return Status(
        201,
        {
            "id": update.pk,
            "goal_id": goal.pk,
            "value": update.value,
            "note": update.note,
            "created_at": update.created_at,
            "status": goal.status,
        },
    )


@router.get(
    ORG + "/commitments", response={200: list[CommitmentOut], **READ}, url_name="api-commitments"
)
def commitments_list(request, org_slug: str):
    """The caller's own commitments with their latest check-in. Members only."""
    access = _access(request, org_slug, Role.MEMBER)
    return [
        _commitment(c)
        for c in selectors.commitments_of_member(user=request.auth, access=access).select_related(
            "member"
        )
    ]


@router.post(
    ORG + "/commitments", response={201: CommitmentOut, **READ}, url_name="api-commitments"
)
def commitment_create(request, org_slug: str, payload: CommitmentIn):
    """Commit to a group of yours outside a meeting (`group_id`, default: the one you meet
    in next); due by its next meeting unless you say."""
    access = _access(request, org_slug, Role.MEMBER)
    group = _group(request, access, payload.group_id)
    commitment = services.commitment_make(
        group=group, member=request.auth, text=payload.text, due_on=payload.due_on
    )
    return Status(201, _commitment(commitment))


@router.post(
    ORG + "/commitments/{commitment_id}/check-ins",
    response={201: CheckInOut, **READ},
    url_name="api-commitments-check-ins",
)
def check_in_create(request, org_slug: str, commitment_id: int, payload: CheckInIn):
    """Check in on your own commitment: done, partly or not done, with a note."""
    access = _access(request, org_slug)
    commitment = selectors.commitment_for_user(
        user=request.auth, access=access, commitment_id=commitment_id
    )
    check_in = services.commitment_check_in(
        commitment=commitment, status=payload.status, note=payload.note, acting_user=request.auth
    )
    return Status(
        201,
        {
            "id": check_in.pk,
            "commitment_id": commitment.pk,
            "status": check_in.status,
            "note": check_in.note,
            "created_at": check_in.created_at,
        },
    )


@router.get(
    ORG + "/groups/{group_id}/commitments",
    response={200: list[CommitmentOut], **READ},
    url_name="api-group-commitments",
)
def group_commitments(request, org_slug: str, group_id: int):
    """A group's commitments with their latest check-ins: its members and facilitator only."""
    access = _access(request, org_slug)
    ctx = group_content_for_user(user=request.auth, access=access, group_id=group_id)
    return [_commitment(c) for c in selectors.commitments_of_group(ctx=ctx)]
