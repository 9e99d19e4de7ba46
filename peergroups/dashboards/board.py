"""The operations board: one row per open group with the figures a program admin runs
the program from (seats, schedule, meetings, attendance counts, agreement acceptances)
and the flags that say which groups need attention.

Never group content: only counts and dates. Six queries whatever the number of groups:
the groups with their annotations, attendance counts (`meetings.selectors.
group_attendance_counts`, the one rule for what admins see per group), facilitator
capacities, the facilitators' group counts, the programs and the facilitators for the filters; for an
admin up to six more for pairs that may no longer share their group
(`groups.selectors.group_conflicts`), with their names and never the reason.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from peergroups.accounts.models import User
from peergroups.errors import Invalid
from peergroups.formats import lazy_format, natural_key
from peergroups.groups.models import PeerGroup
from peergroups.groups.selectors import GroupConflict, group_conflicts
from peergroups.meetings.models import (
    AgreementAcceptance,
    ConfidentialityAgreement,
    MeetingSeries,
    MeetingStatus,
)
from peergroups.meetings.selectors import group_attendance_counts
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import Program
from peergroups.people.models import FacilitatorProfile

STALE_DAYS = 60  # "no meeting in 60 days"

NO_SCHEDULE = "no_schedule"
NO_FACILITATOR = "no_facilitator"
OVER_CAPACITY = "over_capacity"
STALE = "stale"
CONFLICT = "conflict"
FLAG_LABELS = {
    NO_SCHEDULE: gettext_lazy("no schedule"),
    NO_FACILITATOR: gettext_lazy("no facilitator"),
    OVER_CAPACITY: gettext_lazy("facilitator over capacity"),
    STALE: lazy_format(gettext_lazy("no meeting in %(days)s days"), days=STALE_DAYS),
    CONFLICT: gettext_lazy("members kept apart"),
}
SORTS = {
    "name": gettext_lazy("Group"),
    "program": gettext_lazy("Program"),
    "facilitator": gettext_lazy("Facilitator"),
    "open": gettext_lazy("Seats"),
    "next": gettext_lazy("Next meeting"),
    "last": gettext_lazy("Last meeting"),
    "flags": gettext_lazy("Flags"),
}


@dataclass
class BoardRow:
    group: PeerGroup
    has_schedule: bool
    next_meeting: datetime | None
    last_meeting: datetime | None
    accepted: int
    attendance: list[int] = field(default_factory=list)  # oldest first
    flags: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # sentences, for admins only

    @property
    def flag_labels(self) -> list[str]:
        return [FLAG_LABELS[flag] for flag in self.flags]

    @property
    def trend(self) -> str:
        """ "up", "down" or "steady" between the first and last counts shown."""
        if len(self.attendance) < 2 or self.attendance[-1] == self.attendance[0]:
            return "steady"
        return "up" if self.attendance[-1] > self.attendance[0] else "down"


@dataclass
class Board:
    rows: list[BoardRow]
    summary: list[tuple[str, int, str]]  # (flag, count, sentence)
    conflicts: list[GroupConflict]  # pairs that may no longer share their group (admins)
    programs: list[Program]
    facilitators: list[User]


def _summary_sentence(flag: str, count: int) -> str:
    groups = "1 group" if count == 1 else f"{count} groups"
    has = "has" if count == 1 else "have"
    return {
        NO_SCHEDULE: f"{groups} {has} no schedule",
        NO_FACILITATOR: f"{groups} {has} no facilitator",
        OVER_CAPACITY: f"{groups} {has} a facilitator over capacity",
        STALE: f"{groups} {has} had no meeting in {STALE_DAYS} days",
        CONFLICT: f"{groups} {has} members who can no longer share a group",
    }[flag]


def board_for_user(
    *,
    user: User,
    access: OrgAccess,
    program_id: int | None = None,
    facilitator_id: int | None = None,
    flag: str = "",
    search: str = "",
    sort: str = "name",
    descending: bool = False,
) -> Board:
    """The board the viewer may see: an admin every open group of the organization, a
    facilitator the groups they facilitate; anyone else is refused."""
    access.require("admin", "facilitator")
    if flag and flag not in FLAG_LABELS:
        raise Invalid(gettext("Unknown flag."), field="flag")
    if sort not in SORTS:
        raise Invalid(gettext("Unknown sort."), field="sort")
    now = timezone.now()
    organization = access.organization
    visible = PeerGroup.objects.filter(organization=organization, closed_at__isnull=True)
    if not access.is_admin:
        visible = visible.filter(facilitator=user)
    groups = visible
    if program_id:
        groups = groups.filter(program_id=program_id)
    if facilitator_id:
        groups = groups.filter(facilitator_id=facilitator_id)
    if search:
        groups = groups.filter(name__icontains=search)

    live = ~Q(meetings__status=MeetingStatus.CANCELLED)
    latest_version = (
        ConfidentialityAgreement.objects.filter(group=OuterRef(OuterRef("pk")))
        .order_by("-version")
        .values("version")[:1]
    )
    # Current members who accepted the group's current agreement.
    accepted = (
        AgreementAcceptance.objects.filter(
            agreement__group=OuterRef("pk"),
            agreement__version=Subquery(latest_version),
            user__group_memberships__group=OuterRef("pk"),
        )
        .order_by()
        .values("agreement__group")
        .annotate(total=Count("pk"))
        .values("total")
    )
    groups = list(
        groups.select_related("program", "facilitator")
        .annotate(
            has_schedule=Exists(MeetingSeries.objects.filter(group=OuterRef("pk"))),
            next_meeting=Min("meetings__starts_at", filter=live & Q(meetings__starts_at__gt=now)),
            last_meeting=Max("meetings__starts_at", filter=live & Q(meetings__starts_at__lte=now)),
            accepted=Subquery(accepted),
        )
        .order_by()
    )

    # Attendance: present counts of the last few meetings per group (one query), the
    # meeting insights' per-group figures too: one rule for what admins see per group.
    attendance = group_attendance_counts(group_ids=[group.pk for group in groups], now=now)

    # Capacity is over all of a facilitator's open groups, not only the ones shown.
    capacity = dict(
        FacilitatorProfile.objects.filter(organization=organization).values_list(
            "user_id", "capacity"
        )
    )
    leading = dict(
        PeerGroup.objects.filter(
            organization=organization, closed_at__isnull=True, facilitator__isnull=False
        )
        .values("facilitator_id")
        .annotate(total=Count("pk"))
        .order_by()
        .values_list("facilitator_id", "total")
    )

    # A pair that became a conflict after publish (a new reporting line or "not with"):
    # nobody is moved for it; admins see it until one of the two moves or leaves. Only
    # admins: a facilitator could read a private declaration into it.
    conflicts = (
        group_conflicts(organization=organization, group_ids=[group.pk for group in groups])
        if access.is_admin and groups
        else []
    )
    conflicts_of: dict[int, list[str]] = defaultdict(list)
    for conflict in conflicts:
        conflicts_of[conflict.group_id].append(conflict.sentence)

    stale_before = now - timedelta(days=STALE_DAYS)
    rows = []
    for group in groups:
        row = BoardRow(
            group=group,
            has_schedule=group.has_schedule,
            next_meeting=group.next_meeting,
            last_meeting=group.last_meeting,
            accepted=group.accepted or 0,
            attendance=attendance[group.pk],
        )
        if not row.has_schedule:
            row.flags.append(NO_SCHEDULE)
        if group.facilitator_id is None:
            row.flags.append(NO_FACILITATOR)
        elif leading.get(group.facilitator_id, 0) > capacity.get(group.facilitator_id, 0):
            row.flags.append(OVER_CAPACITY)
        last = group.last_meeting
        if group.created_at < stale_before and (last is None or last < stale_before):
            row.flags.append(STALE)
        if conflicts_of[group.pk]:
            row.flags.append(CONFLICT)
            row.conflicts = conflicts_of[group.pk]
        rows.append(row)

    summary = []
    for name in FLAG_LABELS:
        count = sum(name in row.flags for row in rows)
        if count:
            summary.append((name, count, _summary_sentence(name, count)))
    if flag:
        rows = [row for row in rows if flag in row.flags]
    shown = {row.group.pk for row in rows}
    rows.sort(key=_sort_key(sort), reverse=descending)

    programs = list(Program.objects.filter(groups__in=visible).distinct().order_by("name"))
    facilitators = list(
        User.objects.filter(facilitated_groups__in=visible).distinct().order_by("full_name")
    )
    return Board(
        rows=rows,
        summary=summary,
        conflicts=[c for c in conflicts if c.group_id in shown],
        programs=programs,
        facilitators=facilitators,
    )


def _sort_key(sort: str):
    far = datetime.max.replace(tzinfo=UTC)

    def key(row: BoardRow):
        name = natural_key(row.group.name)
        if sort == "program":
            return (natural_key(row.group.program.name), name)
        if sort == "facilitator":
            facilitator = row.group.facilitator
            return (facilitator is None, str(facilitator or "").lower(), name)
        if sort == "open":
            return (row.group.open_seats, name)
        if sort in ("next", "last"):
            when = row.next_meeting if sort == "next" else row.last_meeting
            return (when is None, when or far, name)
        if sort == "flags":
            return (-len(row.flags), name)
        return (name,)

    return key
