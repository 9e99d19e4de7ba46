"""JSON API for meetings, agendas, issues, votes and attendance (Django Ninja router).

`request.auth` is the signed-in API user (the project API's bearer-token auth sets
it). Access goes through the same selectors as the pages: admins get 403 on group
content, other organizations 404, and errors are JSON with a reason.
"""

from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from peergroups.meetings import selectors, services
from peergroups.meetings.models import (
    Attendance,
    AttendanceStatus,
    IssueCategory,
    IssueStatus,
    Urgency,
)
from peergroups.meetings.selectors import GroupContext
from peergroups.organizations.access import organization_access

router = Router(tags=["meetings"])


def json_errors(handler: Callable) -> Callable:
    """Turn the selectors' refusals into JSON errors that say why."""

    @wraps(handler)
    def wrapper(request: HttpRequest, *args, **kwargs):
        try:
            return handler(request, *args, **kwargs)
        except Http404 as missing:
            raise HttpError(404, str(missing) or "Not found") from None
        except PermissionDenied as refused:
            raise HttpError(403, str(refused) or "Not allowed") from None
        except services.MeetingClosed as closed:
            raise HttpError(409, str(closed)) from None
        except ValidationError as invalid:
            raise HttpError(422, "; ".join(invalid.messages)) from None

    return wrapper


def _ctx(request: HttpRequest, org_slug: str, group_id: int) -> GroupContext:
    user = getattr(request, "auth", None)
    if user is None or not getattr(user, "is_authenticated", False):
        raise HttpError(401, "Authentication required")
    access = organization_access(user, org_slug)
    return selectors.group_content_for_user(user=user, access=access, group_id=group_id)


class MeetingOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    status: str
    location: str
    video_url: str
    uid: str
    sequence: int
    closed: bool


class StepOut(Schema):
    position: int
    kind: str
    title: str
    minutes: int


class IssueOut(Schema):
    id: int
    title: str
    category: str
    situation: str
    ask: str
    urgency: int
    status: str
    author: str
    votes: int
    voted: bool
    meeting_id: int | None


class AgendaOut(Schema):
    meeting: MeetingOut
    steps: list[StepOut]
    issues: list[IssueOut]


class IssueIn(Schema):
    title: str
    category: IssueCategory
    situation: str
    ask: str
    urgency: Urgency = Urgency.MEDIUM


class VoteOut(Schema):
    issue_id: int
    voted: bool
    votes: int


class AttendanceRow(Schema):
    member_id: int
    status: AttendanceStatus


class AttendanceOut(Schema):
    member_id: int
    member: str
    status: str | None


class ErrorOut(Schema):
    detail: str


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _meeting(meeting) -> dict:
    return {
        "id": meeting.pk,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "time_zone": meeting.group.time_zone,
        "status": meeting.status,
        "location": meeting.location,
        "video_url": meeting.video_url,
        "uid": meeting.uid,
        "sequence": meeting.sequence,
        "closed": meeting.closed_at is not None,
    }


def _issue(issue) -> dict:
    return {
        "id": issue.pk,
        "title": issue.title,
        "category": issue.category,
        "situation": issue.situation,
        "ask": issue.ask,
        "urgency": issue.urgency,
        "status": issue.status,
        "author": str(issue.author),
        "votes": getattr(issue, "vote_count", 0),
        "voted": bool(getattr(issue, "voted", False)),
        "meeting_id": issue.meeting_id,
    }


GROUP = "/organizations/{org_slug}/groups/{group_id}"


@router.get(
    GROUP + "/meetings",
    response={200: list[MeetingOut], **ERRORS},
    url_name="api-meetings-list",
)
@json_errors
def meetings_list(request, org_slug: str, group_id: int, upcoming: bool = True):
    ctx = _ctx(request, org_slug, group_id)
    meetings = selectors.meetings_of_group(ctx=ctx, upcoming=upcoming).select_related("group")
    return [_meeting(m) for m in meetings]


@router.get(
    GROUP + "/meetings/{meeting_id}/agenda",
    response={200: AgendaOut, **ERRORS},
    url_name="api-meetings-agenda",
)
@json_errors
def meeting_agenda(request, org_slug: str, group_id: int, meeting_id: int):
    ctx = _ctx(request, org_slug, group_id)
    meeting = selectors.meeting_for_user(ctx=ctx, meeting_id=meeting_id)
    steps = services.agenda_steps_ensure(group=ctx.group)
    issues = selectors.meeting_agenda_issues(meeting=meeting)
    return {
        "meeting": _meeting(meeting),
        "steps": [
            {"position": s.position, "kind": s.kind, "title": s.title, "minutes": s.minutes}
            for s in steps
        ],
        "issues": [_issue(i) for i in issues],
    }


@router.get(
    GROUP + "/issues", response={200: list[IssueOut], **ERRORS}, url_name="api-meetings-issues"
)
@json_errors
def issues_list(request, org_slug: str, group_id: int):
    ctx = _ctx(request, org_slug, group_id)
    return [_issue(i) for i in selectors.issue_queue(ctx=ctx)]


@router.post(GROUP + "/issues", response={201: IssueOut, **ERRORS}, url_name="api-meetings-issues")
@json_errors
def issue_create(request, org_slug: str, group_id: int, payload: IssueIn):
    ctx = _ctx(request, org_slug, group_id)
    if not ctx.is_member:
        raise PermissionDenied("Members bring issues; the facilitator runs the queue.")
    issue = services.issue_submit(
        group=ctx.group,
        author=ctx.user,
        title=payload.title,
        category=payload.category,
        situation=payload.situation,
        ask=payload.ask,
        urgency=payload.urgency,
    )
    return Status(201, _issue(selectors.issue_for_user(ctx=ctx, issue_id=issue.pk)))


def _vote(request, org_slug, group_id, issue_id, vote: bool):
    ctx = _ctx(request, org_slug, group_id)
    issue = selectors.issue_for_user(ctx=ctx, issue_id=issue_id)
    if not ctx.is_member:
        raise PermissionDenied("Members vote; the facilitator picks from the queue.")
    if issue.status == IssueStatus.PROCESSED:
        raise HttpError(409, "This issue has been processed already.")
    voted = services.issue_vote_set(issue=issue, voter=ctx.user, vote=vote)
    issue = selectors.issue_for_user(ctx=ctx, issue_id=issue_id)
    return {"issue_id": issue.pk, "voted": voted, "votes": issue.vote_count}


@router.post(
    GROUP + "/issues/{issue_id}/vote",
    response={200: VoteOut, **ERRORS},
    url_name="api-meetings-issue-vote",
)
@json_errors
def issue_vote(request, org_slug: str, group_id: int, issue_id: int):
    return _vote(request, org_slug, group_id, issue_id, True)


@router.delete(
    GROUP + "/issues/{issue_id}/vote",
    response={200: VoteOut, **ERRORS},
    url_name="api-meetings-issue-vote",
)
@json_errors
def issue_unvote(request, org_slug: str, group_id: int, issue_id: int):
    return _vote(request, org_slug, group_id, issue_id, False)


def _attendance(ctx, meeting) -> list[dict]:
    recorded = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
    return [
        {"member_id": m.pk, "member": str(m), "status": recorded.get(m.pk)}
        for m in selectors.group_roster_users(group=ctx.group)
    ]


@router.get(
    GROUP + "/meetings/{meeting_id}/attendance",
    response={200: list[AttendanceOut], **ERRORS},
    url_name="api-meetings-attendance",
)
@json_errors
def attendance_get(request, org_slug: str, group_id: int, meeting_id: int):
    ctx = _ctx(request, org_slug, group_id)
    return _attendance(ctx, selectors.meeting_for_user(ctx=ctx, meeting_id=meeting_id))


@router.put(
    GROUP + "/meetings/{meeting_id}/attendance",
    response={200: list[AttendanceOut], **ERRORS},
    url_name="api-meetings-attendance",
)
@json_errors
def attendance_put(
    request, org_slug: str, group_id: int, meeting_id: int, payload: list[AttendanceRow]
):
    ctx = _ctx(request, org_slug, group_id)
    ctx.require_facilitator()
    meeting = selectors.meeting_for_user(ctx=ctx, meeting_id=meeting_id)
    roster = {m.pk for m in selectors.group_roster_users(group=ctx.group)}
    strangers = sorted({row.member_id for row in payload} - roster)
    if strangers:
        raise HttpError(422, f"Not members of this group: {strangers}")
    services.attendance_record(
        meeting=meeting,
        statuses={row.member_id: row.status for row in payload},
        acting_user=ctx.user,
    )
    return _attendance(ctx, meeting)
