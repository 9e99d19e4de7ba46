"""JSON API for meetings, agendas, issues, votes and attendance (Django Ninja router).

`request.auth` is the caller (the project API's auth guarantees one). Access goes
through the same selectors as the pages and every write through the same services,
so a refusal has the same status and sentence here as on the page; the project's
error mapping (peergroups.http) turns domain errors into JSON.
"""

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status

from peergroups.errors import Invalid
from peergroups.http import error_responses
from peergroups.meetings import selectors, services
from peergroups.meetings.models import (
    ISSUE_TEXT_MAX,
    Attendance,
    AttendanceStatus,
    Issue,
    IssueCategory,
    Urgency,
)
from peergroups.meetings.selectors import GroupContext
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import Role

router = Router(tags=["meetings"])

TITLE_MAX = Issue._meta.get_field("title").max_length
TEXT_MAX = ISSUE_TEXT_MAX


def _ctx(request: HttpRequest, org_slug: str, group_id: int) -> GroupContext:
    access = organization_access(request.auth, org_slug)
    return selectors.group_content_for_user(user=request.auth, access=access, group_id=group_id)


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
    title: str = Field(..., max_length=TITLE_MAX)
    category: IssueCategory
    situation: str = Field(..., max_length=TEXT_MAX)
    ask: str = Field(..., max_length=TEXT_MAX)
    urgency: Urgency = Urgency.MEDIUM


class IssueVoteOut(Schema):
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


READ = error_responses(403, 404)
WRITE = error_responses(403, 404, 409)


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
        "closed": meeting.is_closed,
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
    GROUP + "/meetings", response={200: list[MeetingOut], **READ}, url_name="api-meetings-list"
)
def meetings_list(request, org_slug: str, group_id: int, upcoming: bool = True):
    ctx = _ctx(request, org_slug, group_id)
    meetings = selectors.meetings_of_group(ctx=ctx, upcoming=upcoming).select_related("group")
    return [_meeting(m) for m in meetings]


@router.get(
    GROUP + "/meetings/{meeting_id}/agenda",
    response={200: AgendaOut, **READ},
    url_name="api-meetings-agenda",
)
def meeting_agenda(request, org_slug: str, group_id: int, meeting_id: int):
    ctx = _ctx(request, org_slug, group_id)
    meeting = selectors.meeting_for_user(ctx=ctx, meeting_id=meeting_id)
    steps = selectors.agenda_steps_of(group=ctx.group)
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
    GROUP + "/issues", response={200: list[IssueOut], **READ}, url_name="api-meetings-issues"
)
def issues_list(request, org_slug: str, group_id: int):
    ctx = _ctx(request, org_slug, group_id)
    return [_issue(i) for i in selectors.issue_queue(ctx=ctx)]


@router.post(GROUP + "/issues", response={201: IssueOut, **READ}, url_name="api-meetings-issues")
def issue_create(request, org_slug: str, group_id: int, payload: IssueIn):
    """Bring an issue to your group (members only)."""
    ctx = _ctx(request, org_slug, group_id)
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
    voted = services.issue_vote_set(issue=issue, voter=ctx.user, vote=vote)
    issue = selectors.issue_for_user(ctx=ctx, issue_id=issue_id)
    return {"issue_id": issue.pk, "voted": voted, "votes": issue.vote_count}


@router.post(
    GROUP + "/issues/{issue_id}/vote",
    response={200: IssueVoteOut, **WRITE},
    url_name="api-meetings-issue-vote",
)
def issue_vote(request, org_slug: str, group_id: int, issue_id: int):
    """Vote for an issue (members only; a processed issue takes no votes: 409)."""
    return _vote(request, org_slug, group_id, issue_id, True)


@router.delete(
    GROUP + "/issues/{issue_id}/vote",
    response={200: IssueVoteOut, **WRITE},
    url_name="api-meetings-issue-vote",
)
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
    response={200: list[AttendanceOut], **READ},
    url_name="api-meetings-attendance",
)
def attendance_get(request, org_slug: str, group_id: int, meeting_id: int):
    ctx = _ctx(request, org_slug, group_id)
    return _attendance(ctx, selectors.meeting_for_user(ctx=ctx, meeting_id=meeting_id))


@router.put(
    GROUP + "/meetings/{meeting_id}/attendance",
    response={200: list[AttendanceOut], **WRITE},
    url_name="api-meetings-attendance",
)
def attendance_put(
    request, org_slug: str, group_id: int, meeting_id: int, payload: list[AttendanceRow]
):
    """Record attendance (the facilitator; only the group's members; 409 once closed)."""
    ctx = _ctx(request, org_slug, group_id)
    meeting = selectors.meeting_for_user(ctx=ctx, meeting_id=meeting_id)
    services.attendance_record(
        meeting=meeting,
        statuses={row.member_id: row.status for row in payload},
        acting_user=ctx.user,
    )
    return _attendance(ctx, meeting)


class MeetingMoveIn(Schema):
    starts_at: datetime = Field(description="With its offset, e.g. 2027-01-15T09:00:00+01:00.")
    ends_at: datetime
    location: str = Field("", max_length=200)
    video_url: str = Field("", max_length=200, description="An http(s) link, or empty.")
    version: int | None = Field(
        None,
        description="The meeting's `sequence` as you read it: if it changed since, the "
        "answer is 409 with the current values and nothing is saved.",
    )


class MeetingCancelIn(Schema):
    version: int | None = Field(None, description="The `sequence` you read, as for a move.")


def _url_check(value: str) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    value = value.strip()
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise Invalid(
                gettext("Give the video link as an http(s) address."), field="video_url"
            ) from None
    return value


@router.patch(
    GROUP + "/meetings/{int:meeting_id}",
    response={200: MeetingOut, **error_responses(403, 404, 409, 422)},
    url_name="api-meeting",
)
def meeting_move(request, org_slug: str, group_id: int, meeting_id: int, payload: MeetingMoveIn):
    """Move one meeting (the group's facilitator), as the meeting's page does."""
    ctx = _ctx(request, org_slug, group_id)
    meeting = selectors.meeting_for_user(ctx=ctx, meeting_id=meeting_id)
    if payload.starts_at.tzinfo is None or payload.ends_at.tzinfo is None:
        raise Invalid(gettext("Give the times with their offset from UTC."), field="starts_at")
    moved = services.meeting_move(
        meeting=meeting,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        location=payload.location.strip(),
        video_url=_url_check(payload.video_url),
        acting_user=ctx.user,
        version=payload.version,
    )
    return _meeting(moved)


@router.post(
    GROUP + "/meetings/{int:meeting_id}/cancel",
    response={200: MeetingOut, **error_responses(403, 404, 409)},
    url_name="api-meeting-cancel",
)
def meeting_cancel(
    request, org_slug: str, group_id: int, meeting_id: int, payload: MeetingCancelIn
):
    """Cancel one meeting (the group's facilitator); issues on its agenda go back."""
    ctx = _ctx(request, org_slug, group_id)
    meeting = selectors.meeting_for_user(ctx=ctx, meeting_id=meeting_id)
    cancelled = services.meeting_cancel(
        meeting=meeting, acting_user=ctx.user, version=payload.version
    )
    return _meeting(cancelled)


class CalendarInvitationsOut(Schema):
    on: bool = Field(
        description="Each meeting of the caller's groups here comes as a calendar "
        "invitation e-mail (iMIP), with updates and cancellations."
    )


class CalendarInvitationsIn(Schema):
    on: bool


@router.get(
    "/organizations/{org_slug}/me/calendar-invitations",
    response={200: CalendarInvitationsOut, **READ},
    url_name="api-calendar-invitations",
)
def calendar_invitations_read(request, org_slug: str):
    """Whether the caller gets meetings as calendar invitations (members, facilitators)."""
    access = organization_access(request.auth, org_slug)
    access.require(Role.MEMBER, Role.FACILITATOR)
    on = selectors.calendar_invitations_chosen(user=request.auth, organization=access.organization)
    return {"on": on}


@router.put(
    "/organizations/{org_slug}/me/calendar-invitations",
    response={200: CalendarInvitationsOut, **READ},
    url_name="api-calendar-invitations",
)
def calendar_invitations_edit(request, org_slug: str, payload: CalendarInvitationsIn):
    """Choose calendar invitations by e-mail (on) or the feed only (off), as the
    calendar page does."""
    access = organization_access(request.auth, org_slug)
    access.require(Role.MEMBER, Role.FACILITATOR)
    on = services.calendar_invitations_set(
        user=request.auth, organization=access.organization, on=payload.on
    )
    return {"on": on}
