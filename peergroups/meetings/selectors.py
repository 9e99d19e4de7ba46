"""Reads of meetings and group content; the one place that decides who may read them.

Every group-content page, API route, e-mail and task starts from `group_content_for_user`:
- not in the organization: 404 (from organization_access);
- the organization's admins, other groups' people: 403 — admins see counts only;
- a member who has not accepted the current confidentiality agreement: AgreementRequired
  (a 403 whose `redirect_to` sends pages to the agreement; the API answers 403).
A meeting or an issue is then resolved inside that context (`meeting_for_user`,
`issue_for_user`): another group's id is a 404.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from peergroups import aggregates
from peergroups.accounts.models import User
from peergroups.aggregates import MIN_PEOPLE, Collect, Figure, Table
from peergroups.errors import Gone, NotFound, Refused
from peergroups.formats import natural_key
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.groups.selectors import FACILITATOR, group_for_user, group_role, user_group_ids
from peergroups.meetings.models import (
    AgendaStep,
    AgreementAcceptance,
    Attendance,
    AttendanceStatus,
    CalendarFeed,
    CalendarInvitationChoice,
    ConfidentialityAgreement,
    Issue,
    IssueCategory,
    IssueStatus,
    IssueVote,
    Meeting,
    MeetingStatus,
)
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import Organization, Program, Role, hash_token
from peergroups.organizations.recipients import person_active
from peergroups.people.models import MemberProfile

MIN_AGGREGATE_PEOPLE = MIN_PEOPLE  # kept for callers; the rule lives in peergroups.aggregates
EMPTY_COUNT = Figure(value=0, people=0)

CONTENT_REFUSED = gettext_lazy(
    "What a group discusses stays with its members and facilitator; "
    "program admins see aggregate figures only."
)
ONLY_FACILITATOR = gettext_lazy("Only the group's facilitator can do this.")


class AgreementRequired(Refused):
    """A member must accept the group's current confidentiality agreement first."""

    def __init__(self, group: PeerGroup):
        super().__init__(
            gettext("Accept the group's confidentiality agreement to see its content.")
        )
        self.group = group
        self.redirect_to = reverse(
            "meetings-agreement",
            kwargs={"org_slug": group.organization.slug, "group_id": group.pk},
        )


@dataclass(frozen=True)
class GroupContext:
    """A group, resolved for one viewer who may read its content."""

    group: PeerGroup
    access: OrgAccess
    user: User
    is_facilitator: bool

    @property
    def is_member(self) -> bool:
        return not self.is_facilitator

    def require_facilitator(self) -> None:
        if not self.is_facilitator:
            raise Refused(ONLY_FACILITATOR)


def _group_context(*, user: User, access: OrgAccess, group_id: int) -> GroupContext:
    group = group_for_user(user=user, access=access, group_id=group_id)
    role = group_role(user=user, group=group)
    if role is None:
        raise Refused(CONTENT_REFUSED)
    return GroupContext(group=group, access=access, user=user, is_facilitator=role == FACILITATOR)


def group_content_for_user(*, user: User, access: OrgAccess, group_id: int) -> GroupContext:
    """The group's content for its members (agreement accepted) and its facilitator."""
    ctx = _group_context(user=user, access=access, group_id=group_id)
    # The facilitator publishes the agreement and is bound by it as its keeper;
    # members must accept the current version before they read anything.
    if ctx.is_member and not agreement_accepted(group=ctx.group, user=user):
        raise AgreementRequired(ctx.group)
    return ctx


def group_agreement_for_user(*, user: User, access: OrgAccess, group_id: int) -> GroupContext:
    """The group's agreement page: its members and facilitator, accepted or not."""
    return _group_context(user=user, access=access, group_id=group_id)


def agreement_latest(*, group: PeerGroup) -> ConfidentialityAgreement | None:
    """The current version (group_defaults_create makes version 1 with the group)."""
    return group.agreements.order_by("-version").first()


def agreement_accepted(*, group: PeerGroup, user: User) -> bool:
    """Has the user accepted the group's current version? One query."""
    latest = group.agreements.order_by("-version").values("pk")[:1]
    return AgreementAcceptance.objects.filter(agreement=Subquery(latest), user=user).exists()


def member_time_zone(*, user: User, organization_id: int) -> ZoneInfo | None:
    """The zone the member gave at intake; None until the intake is complete."""
    zone = (
        MemberProfile.objects.filter(
            organization_id=organization_id, user=user, completed_at__isnull=False
        )
        .values_list("time_zone", flat=True)
        .first()
    )
    return ZoneInfo(zone) if zone else None


def viewer_time_zone(*, user: User, group: PeerGroup) -> ZoneInfo:
    """The member's own zone once their intake says it; otherwise the group's."""
    if getattr(group, "viewer_id", None) == user.pk and hasattr(group, "viewer_zone"):
        # Read with the group for this viewer (groups.selectors.group_for_user).
        zone = ZoneInfo(group.viewer_zone) if group.viewer_zone else None
    else:
        zone = member_time_zone(user=user, organization_id=group.organization_id)
    return zone or ZoneInfo(group.time_zone)


def meeting_for_user(*, ctx: GroupContext, meeting_id: int) -> Meeting:
    meeting = (
        Meeting.objects.select_related("series", "current_issue")
        .filter(group=ctx.group, pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise NotFound(gettext("No such meeting in this group."))
    # The group (and its organization) resolved for this viewer: not joined in again.
    meeting.group = ctx.group
    return meeting


def issue_for_user(*, ctx: GroupContext, issue_id: int) -> Issue:
    issue = _issues_with_votes(ctx).filter(pk=issue_id).select_related("author", "meeting").first()
    if issue is None:
        raise NotFound(gettext("No such issue in this group."))
    return issue


def _issues_with_votes(ctx: GroupContext) -> QuerySet[Issue]:
    return Issue.objects.filter(group=ctx.group).annotate(
        vote_count=Count("votes", distinct=True),
        voted=Exists(IssueVote.objects.filter(issue=OuterRef("pk"), voter=ctx.user)),
    )


def issue_queue(*, ctx: GroupContext) -> QuerySet[Issue]:
    """Issues still waiting (open or on an agenda): most votes first, then most urgent."""
    return (
        _issues_with_votes(ctx)
        .filter(status__in=[IssueStatus.OPEN, IssueStatus.SCHEDULED])
        .select_related("author", "meeting")
        .order_by("-vote_count", "-urgency", "created_at", "pk")
    )


def issues_processed(*, ctx: GroupContext) -> QuerySet[Issue]:
    return (
        Issue.objects.filter(group=ctx.group, status=IssueStatus.PROCESSED)
        .select_related("author", "meeting")
        .order_by("-processed_at")
    )


def meetings_of_group(*, ctx: GroupContext, upcoming: bool) -> QuerySet[Meeting]:
    now = timezone.now()
    meetings = Meeting.objects.filter(group=ctx.group).annotate(
        issue_count=Count("issues", filter=Q(issues__status=IssueStatus.SCHEDULED))
    )
    if upcoming:
        return meetings.filter(ends_at__gte=now).order_by("starts_at")
    return meetings.filter(ends_at__lt=now).order_by("-starts_at")


def meeting_agenda_issues(*, meeting: Meeting) -> QuerySet[Issue]:
    return (
        Issue.objects.filter(meeting=meeting)
        .select_related("author")
        .annotate(vote_count=Count("votes"))
        .order_by("-vote_count", "-urgency", "created_at")
    )


def agenda_steps_of(*, group: PeerGroup) -> list[AgendaStep]:
    """The group's protocol (made with the group by services.group_defaults_create)."""
    return list(group.agenda_steps.all())


def group_roster_users(*, group: PeerGroup) -> list[User]:
    # The users only: no membership row built beside each.
    return list(User.objects.filter(group_memberships__group=group).order_by("full_name"))


def upcoming_meetings_for_user(*, user: User, access: OrgAccess, limit: int = 5) -> list[Meeting]:
    """The next meetings of the groups the user is in or facilitates (no content)."""
    return list(
        Meeting.objects.filter(
            group__in=user_group_ids(user=user, organization=access.organization),
            ends_at__gte=timezone.now(),
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("group")
        .order_by("starts_at")[:limit]
    )


def member_groups_next_first(*, user: User, access: OrgAccess) -> list[PeerGroup]:
    """The groups the user is a member of here, the one they meet in next first.

    Groups with no meeting ahead follow, latest cycle first. A member who is in two
    groups (two programs) chooses where a commitment or a shared goal belongs; this
    order gives the default.
    """
    now = timezone.now()
    groups = (
        PeerGroup.objects.filter(organization=access.organization, memberships__user=user)
        .select_related("program")
        .annotate(
            next_meeting=Min(
                "meetings__starts_at",
                filter=Q(meetings__starts_at__gt=now)
                & ~Q(meetings__status=MeetingStatus.CANCELLED),
            )
        )
    )
    far = now + timedelta(days=365 * 100)
    return sorted(groups, key=lambda g: (g.next_meeting or far, -g.cycle, -g.pk))


# --- calendar feed ---------------------------------------------------------------------


def calendar_feed_by_token(token: str) -> CalendarFeed:
    feed = (
        CalendarFeed.objects.select_related("user", "organization")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None:
        raise NotFound(gettext("No such calendar feed."))
    if not person_active(organization_id=feed.organization_id, user_id=feed.user_id):
        raise Gone(gettext("This calendar feed no longer works."))  # deactivated: no updates
    return feed


def calendar_feed_live(*, user: User, organization: Organization) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(
        user=user, organization=organization, revoked_at__isnull=True
    ).first()


FEED_PAST_DAYS = 90


def calendar_invitations_chosen(*, user: User, organization: Organization) -> bool:
    return CalendarInvitationChoice.objects.filter(user=user, organization=organization).exists()


def meetings_for_feed(*, user: User, organization: Organization) -> QuerySet[Meeting]:
    """Every meeting of the user's groups in the organization, recent and ahead."""
    return (
        Meeting.objects.filter(
            group__in=user_group_ids(user=user, organization=organization),
            starts_at__gte=timezone.now() - timedelta(days=FEED_PAST_DAYS),
        )
        .select_related("group__organization")
        .order_by("starts_at")
    )


# --- what admins see per group ---------------------------------------------------------

# The rule (README, confidentiality): how many people turned up to a group's meetings is
# an operational fact an admin runs the program with, shown per group however small; a
# group's pulse, outcome, issue and commitment figures are not, and go through
# `peergroups.aggregates` (5+ people) by program. The operations board and the meeting
# insights both ask this one function.
ATTENDANCE_MEETINGS = 3  # the last three meetings held
ATTENDANCE_WINDOW = timedelta(days=365)


def group_attendance_counts(
    *, group_ids, now=None, last: int = ATTENDANCE_MEETINGS
) -> dict[int, list[int]]:
    """group id -> how many were present at each of its last `last` meetings held
    (attendance recorded, not cancelled, within a year), oldest first. One query.

    The database picks each group's last meetings (a window over the meetings, latest
    first; of two at the same time, the one with more present counts as later) and
    returns two numbers a meeting: at 1,200 groups, 3,600 rows instead of a year's
    meetings with their times."""
    now = now or timezone.now()
    counts: dict[int, list[int]] = {group_id: [] for group_id in group_ids}
    if not counts:
        return {}
    rows = (
        Meeting.objects.filter(
            group__in=list(counts),
            starts_at__lte=now,
            starts_at__gte=now - ATTENDANCE_WINDOW,
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .annotate(
            recorded=Count("attendance"),
            present=Count("attendance", filter=Q(attendance__status=AttendanceStatus.PRESENT)),
        )
        .filter(recorded__gt=0)
        .annotate(
            latest=Window(
                RowNumber(),
                partition_by=F("group_id"),
                order_by=(F("starts_at").desc(), F("present").desc()),
            )
        )
        .filter(latest__lte=last)
        .order_by("group_id", "starts_at", "present")
        .values_list("group_id", "present")
    )
    for group_id, present in rows:
        counts[group_id].append(present)
    return counts


# --- aggregates for admins -------------------------------------------------------------


class InsightGroup(NamedTuple):
    """A group as the insights list it: its name and where it belongs."""

    pk: int
    name: str
    program_id: int


def meeting_insights(*, access: OrgAccess) -> list[dict]:
    """Per program: people in groups, attendance rates and issue counts by category,
    and its groups (`InsightGroup`, in natural name order).

    Numbers, never text. The program's figures go through peergroups.aggregates:
    distinct people (not memberships) behind every figure, none over fewer than
    MIN_AGGREGATE_PEOPLE. A group's attendance counts are the operations board's
    (`group_attendance_counts`, the rule above): an operational fact, shown per group;
    the page asks them for the groups it shows (`insight_attendance_add`), not for all
    1,200 of a large organization.
    """
    access.require(Role.ADMIN)
    # One Program object per program, not one per group (1,200 at 10,000 members).
    programs = {
        program.pk: program
        for program in Program.objects.filter(organization=access.organization).only("name")
    }
    # Three fields a group, not a model object each (1,200 at 10,000 members).
    groups = list(
        InsightGroup(*row)
        for row in PeerGroup.objects.filter(organization=access.organization).values_list(
            "pk", "name", "program_id"
        )
    )
    # "Group 5" before "Group 10", as on the operations board.
    program_key = {pk: natural_key(program.name) for pk, program in programs.items()}
    groups.sort(key=lambda group: (program_key[group.program_id], natural_key(group.name)))
    people, attendance = Table(), Table()
    categories: dict[int, Table] = {}
    for group in groups:
        people.node(("program", group.program_id))
        attendance.node(("program", group.program_id))
    # Headcounts are shown per program only, and a program is a root: complementary
    # suppression hides descendants, never a root, so a program's distinct people
    # counted in SQL decide exactly as its groups' people did.
    for program_id, members in (
        GroupMembership.objects.filter(group__organization=access.organization)
        .values_list("group__program_id")
        .annotate(members=Count("user_id", distinct=True))
        .order_by()
    ):
        people.add_counted(("program", program_id), people=members, value=members)
    # Attendance summed in SQL, one row per program with the people behind it: the
    # program's rate is decided on the distinct people behind it.
    for program_id, members, present, held in (
        Attendance.objects.filter(meeting__group__organization=access.organization)
        .values_list("meeting__group__program_id")
        .annotate(
            members=Collect("member_id", distinct=True),
            present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
            held=Count("pk"),
        )
        .order_by()
    ):
        attendance.add_people(("program", program_id), members, (present, held))
    # Categories stand alone under their program: counted in SQL, distinct authors.
    for program_id, category, authors, issues in (
        Issue.objects.filter(group__organization=access.organization)
        .values_list("group__program_id", "category")
        .annotate(authors=Count("author_id", distinct=True), issues=Count("pk"))
        .order_by()
    ):
        table = categories.setdefault(program_id, Table())
        table.node(category)
        table.add_counted(category, people=authors, value=issues)
    headcount = people.figures(aggregates.total_of)
    rates = attendance.figures(aggregates.percent_of)
    rows: dict[int, dict] = {}
    for group in groups:
        entry = rows.get(group.program_id)
        if entry is None:
            key = ("program", group.program_id)
            shown = headcount[key].shown
            counts = categories.get(group.program_id, Table()).figures(aggregates.total_of)
            entry = rows[group.program_id] = {
                "program": programs[group.program_id],
                "people": headcount[key].people,
                "shown": shown,
                "attendance": rates[key],
                "attendance_rate": rates[key].value,
                "categories": [
                    (label, counts.get(value, EMPTY_COUNT))
                    for value, label in IssueCategory.choices
                ]
                if shown
                else [],
                "groups": [],
            }
        entry["groups"].append({"group": group})
    return list(rows.values())


def insight_attendance_add(groups: list[dict]) -> None:
    """Give each of the insights' `groups` its attendance counts (one query for all)."""
    attended = group_attendance_counts(group_ids=[entry["group"].pk for entry in groups])
    for entry in groups:
        entry["attendance"] = attended[entry["group"].pk]


def meeting_is_before_its_day(*, meeting: Meeting) -> bool:
    """True while the meeting's day (in the group's zone) has not come: running it now
    is probably a slip, so the run-of-show page asks first."""
    zone = ZoneInfo(meeting.group.time_zone)
    return meeting.starts_at.astimezone(zone).date() > timezone.now().astimezone(zone).date()
