"""JSON API for goals, commitments and check-ins (Django Ninja router).

The same selectors as the pages decide access: my goals and commitments are the
caller's own (members only); a group's commitments are for its members and
facilitator (admins 403, other organizations 404). Errors are JSON with a reason.
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from peergroups.goals import selectors, services
from peergroups.goals.models import CheckInStatus, Visibility
from peergroups.meetings.api import ERRORS, json_errors
from peergroups.meetings.selectors import group_content_for_user
from peergroups.organizations.access import OrgAccess, organization_access
from peergroups.organizations.models import Role

router = Router(tags=["goals"])

ORG = "/organizations/{org_slug}"


def _access(request: HttpRequest, org_slug: str, *roles: str) -> OrgAccess:
    user = getattr(request, "auth", None)
    if user is None or not getattr(user, "is_authenticated", False):
        raise HttpError(401, "Authentication required")
    access = organization_access(user, org_slug)
    if roles:
        access.require(*roles)
    return access


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
    title: str
    why: str = ""
    measure: str
    baseline: Decimal
    target: Decimal
    due_on: date
    visibility: Visibility = Visibility.PRIVATE


class GoalUpdateIn(Schema):
    value: Decimal
    note: str = ""


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
    text: str
    due_on: date | None = None


class CheckInIn(Schema):
    status: CheckInStatus
    note: str = ""


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


@router.get(ORG + "/goals", response={200: list[GoalOut], **ERRORS}, url_name="api-goals")
@json_errors
def goals_list(request, org_slug: str):
    """The caller's own key goals, with their derived status. Members only."""
    access = _access(request, org_slug, Role.MEMBER)
    return [_goal(g) for g in selectors.goals_of_member(user=request.auth, access=access)]


@router.post(ORG + "/goals", response={201: GoalOut, **ERRORS}, url_name="api-goals")
@json_errors
def goal_create(request, org_slug: str, payload: GoalIn):
    access = _access(request, org_slug, Role.MEMBER)
    goal = services.goal_create(
        organization=access.organization,
        owner=request.auth,
        group=selectors.member_group(user=request.auth, access=access),
        **payload.dict(),
    )
    return Status(
        201, _goal(selectors.goal_for_user(user=request.auth, access=access, goal_id=goal.pk))
    )


@router.post(
    ORG + "/goals/{goal_id}/updates",
    response={201: GoalUpdateOut, **ERRORS},
    url_name="api-goals-updates",
)
@json_errors
def goal_update_create(request, org_slug: str, goal_id: int, payload: GoalUpdateIn):
    """Record progress on one of the caller's goals (its owner only)."""
    access = _access(request, org_slug)
    goal = selectors.goal_for_user(user=request.auth, access=access, goal_id=goal_id)
    selectors.require_goal_owner(goal, request.auth)
    update = services.goal_progress_add(goal=goal, value=payload.value, note=payload.note)
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
    ORG + "/commitments", response={200: list[CommitmentOut], **ERRORS}, url_name="api-commitments"
)
@json_errors
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
    ORG + "/commitments", response={201: CommitmentOut, **ERRORS}, url_name="api-commitments"
)
@json_errors
def commitment_create(request, org_slug: str, payload: CommitmentIn):
    """Commit to your group outside a meeting; due by its next meeting unless you say."""
    access = _access(request, org_slug, Role.MEMBER)
    group = selectors.member_group(user=request.auth, access=access)
    if group is None:
        raise PermissionDenied("You make commitments to your group; you are not in one yet.")
    group_content_for_user(user=request.auth, access=access, group_id=group.pk)
    commitment = services.commitment_make(
        group=group, member=request.auth, text=payload.text, due_on=payload.due_on
    )
    return Status(201, _commitment(commitment))


@router.post(
    ORG + "/commitments/{commitment_id}/check-ins",
    response={201: CheckInOut, **ERRORS},
    url_name="api-commitments-check-ins",
)
@json_errors
def check_in_create(request, org_slug: str, commitment_id: int, payload: CheckInIn):
    """Check in on your own commitment: done, partly or not done, with a note."""
    access = _access(request, org_slug)
    commitment, _ctx = selectors.commitment_for_user(
        user=request.auth, access=access, commitment_id=commitment_id
    )
    if commitment.member_id != request.auth.pk:
        raise PermissionDenied("Only the member who made the commitment checks in on it.")
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
    response={200: list[CommitmentOut], **ERRORS},
    url_name="api-group-commitments",
)
@json_errors
def group_commitments(request, org_slug: str, group_id: int):
    """A group's commitments with their latest check-ins: its members and facilitator only."""
    access = _access(request, org_slug)
    ctx = group_content_for_user(user=request.auth, access=access, group_id=group_id)
    return [_commitment(c) for c in selectors.commitments_of_group(ctx=ctx)]
