"""Reads of outcomes: who is asked, a member's own trend, group health, program outcomes.

- A member's baseline, pulses and private notes: that member only.
- Group health: the group's facilitator (through meetings' group_content_for_user),
  figures over the group as a whole, each over 5 or more people.
- Program outcomes: the organization's admins, every figure through
  peergroups.aggregates (5+ distinct people, complementary suppression; filters
  select rows of the table computed over the whole organization).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from peergroups import aggregates
from peergroups.accounts.models import User
from peergroups.aggregates import Collect, Figure, Table
from peergroups.errors import Invalid
from peergroups.formats import lazy_format, natural_key
from peergroups.goals.models import CHECK_IN_CREDIT, Commitment, CommitmentCheckIn
from peergroups.goals.selectors import month_starts
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.meetings.models import (
    Attendance,
    AttendanceStatus,
    Issue,
    IssueCategory,
    IssueStatus,
    Meeting,
    MeetingStatus,
)
from peergroups.meetings.selectors import GroupContext
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import Organization, OrganizationRole, Program, Role
from peergroups.outcomes.models import Baseline, MarginTrend, OutcomeSnapshot, Pulse
from peergroups.people.models import MemberProfile

TREND_MONTHS = 12  # the member's chart
HEALTH_MONTHS = 6  # the facilitator's trend
RECENT_MONTHS = 3  # "recent" for admin figures: the last three months
RETENTION_MONTHS = (6, 12)

# The measures a baseline and a pulse share, with what a chart of each needs.
MEASURES = [
    # key, label, unit, low, high, ticks, change low/high/ticks
    (
        "hours_per_week",
        gettext_lazy("Hours worked per week"),
        " h",
        0,
        80,
        (0, 40, 80),
        (-20, 20, (-20, 0, 20)),
    ),
    ("productivity", "Productivity (1–7)", "", 1, 7, (1, 4, 7), (-3, 3, (-3, 0, 3))),
    (
        "margin_trend",
        gettext_lazy("Margin trend (−1 down, 0 flat, +1 up)"),
        "",
        -1,
        1,
        (-1, 0, 1),
        (-2, 2, (-2, 0, 2)),
    ),
    (
        "goal_confidence",
        gettext_lazy("Confidence on key goals (1–7)"),
        "",
        1,
        7,
        (1, 4, 7),
        (-3, 3, (-3, 0, 3)),
    ),
]
MEASURE_KEYS = [m[0] for m in MEASURES]


@lru_cache(maxsize=4096)
def add_months(day: date, months: int) -> date:
    return day + relativedelta(months=months)


# --- who is asked ----------------------------------------------------------------------


def active_memberships(*, organization_id: int | None = None):
    """Memberships in an active group: a group of its program's latest cycle.

    A group of an earlier cycle has been re-formed; its people are asked in their new
    group, or not at all. Only people who hold the member role are asked.
    """
    latest = (
        PeerGroup.objects.filter(program=OuterRef("program")).order_by("-cycle").values("cycle")[:1]
    )
    members = OrganizationRole.objects.filter(
        organization=OuterRef("group__organization"), user=OuterRef("user"), role=Role.MEMBER
    )
    memberships = GroupMembership.objects.annotate(latest_cycle=Subquery(latest)).filter(
        cycle=F("latest_cycle")
    )
    if organization_id is not None:
        memberships = memberships.filter(group__organization_id=organization_id)
    return memberships.filter(user__in=members.values("user")).filter(user__is_active=True)


def active_group(*, user: User, organization: Organization) -> PeerGroup | None:
    """The member's active group (the latest joined, if two programs overlap)."""
    membership = (
        active_memberships(organization_id=organization.pk)
        .filter(user=user)
        .select_related("group")
        .order_by("-joined_at", "-pk")
        .first()
    )
    return membership.group if membership else None


def member_zone(*, user: User, organization: Organization, group: PeerGroup | None) -> ZoneInfo:
    """As meetings.selectors.viewer_time_zone: the member's own zone once their intake
    says it, otherwise their group's, otherwise UTC."""
    zone = (
        MemberProfile.objects.filter(
            organization=organization, user=user, completed_at__isnull=False
        )
        .values_list("time_zone", flat=True)
        .first()
    )
    return ZoneInfo(zone or (group.time_zone if group else "UTC"))


@dataclass(frozen=True)
class Recipient:
    organization: Organization
    user: User
    group: PeerGroup
    zone: ZoneInfo


def pulse_recipients() -> list[Recipient]:
    """Everyone in an active group, once per organization, with their time zone. Three
    queries, whatever the number of people."""
    memberships = list(
        active_memberships()
        .select_related("user", "group__organization")
        .order_by("group__organization_id", "user_id", "-joined_at", "-pk")
    )
    zones = {
        (organization_id, user_id): zone
        for organization_id, user_id, zone in MemberProfile.objects.filter(
            completed_at__isnull=False, user__in={m.user_id for m in memberships}
        ).values_list("organization_id", "user_id", "time_zone")
    }
    seen = set()
    out = []
    for m in memberships:
        key = (m.group.organization_id, m.user_id)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            Recipient(
                organization=m.group.organization,
                user=m.user,
                group=m.group,
                zone=ZoneInfo(zones.get(key) or m.group.time_zone or "UTC"),
            )
        )
    return out


# --- the member's own ------------------------------------------------------------------


def baseline_of(*, user: User, organization: Organization) -> Baseline | None:
    return Baseline.objects.filter(organization=organization, user=user).first()


def pulses_of(*, user: User, organization: Organization, months: int = TREND_MONTHS):
    since = month_starts(timezone.localdate(), months)[0]
    return list(
        Pulse.objects.filter(organization=organization, user=user, month__gte=since).order_by(
            "month"
        )
    )


def pulse_of_month(*, user: User, organization: Organization, month: date) -> Pulse | None:
    return Pulse.objects.filter(organization=organization, user=user, month=month).first()


def member_trend(*, user: User, access: OrgAccess, months: int = TREND_MONTHS) -> dict:
    """The member's answers by month against their baseline: one series per measure."""
    baseline = baseline_of(user=user, organization=access.organization)
    pulses = pulses_of(user=user, organization=access.organization, months=months)
    answered = {p.month: p for p in pulses if p.is_answered}
    starts = month_starts(timezone.localdate(), months)
    series = []
    for key, label, unit, low, high, ticks, _change in MEASURES:
        series.append(
            {
                "key": key,
                "label": str(label),
                "unit": unit,
                "low": low,
                "high": high,
                "ticks": ticks,
                "baseline": getattr(baseline, key) if baseline else None,
                "points": [
                    (m, getattr(answered[m], key) if m in answered else None) for m in starts
                ],
            }
        )
    series.append(
        {
            "key": "meeting_value",
            "label": gettext("Value of last month's meeting (1–7)"),
            "unit": "",
            "low": 1,
            "high": 7,
            "ticks": (1, 4, 7),
            "baseline": None,
            "points": [(m, answered[m].meeting_value if m in answered else None) for m in starts],
        }
    )
    return {"baseline": baseline, "pulses": pulses, "series": series}


# --- group health (the facilitator's) --------------------------------------------------


def dropped_two_months_running(values: list) -> bool:
    """The flag rule: the last three months with a figure, consecutive, each below the one
    before (a fall, then another). Months at the end without a figure yet (this month,
    before anyone answered) are not counted; a gap before them breaks the run."""
    values = list(values)
    while values and values[-1] is None:
        values.pop()
    if len(values) < 3:
        return False
    a, b, c = values[-3:]
    return None not in (a, b, c) and a > b > c


HEALTH_MEASURES = [
    ("attendance", gettext_lazy("Attendance"), " %"),
    ("commitments_kept", gettext_lazy("Commitments kept"), " %"),
    ("meeting_value", gettext_lazy("Meeting value (1–7)"), ""),
    ("response_rate", gettext_lazy("Pulse response rate"), " %"),
    ("issues_per_meeting", gettext_lazy("Issues processed per meeting"), ""),
]


def month_of(moment: datetime, zone) -> date:
    """The first day of the month `moment` falls in, in `zone`."""
    return moment.astimezone(zone).date().replace(day=1)


def group_health(*, ctx: GroupContext, months: int = HEALTH_MONTHS) -> dict:
    """The group's figures by month, each over 5 or more people, and which measures
    dropped two months running. Only the facilitator reads it. Six queries."""
    ctx.require_facilitator()
    group = ctx.group
    zone = ZoneInfo(group.time_zone or "UTC")
    now = timezone.now()
    starts = month_starts(now.astimezone(zone).date(), months)
    since = datetime(starts[0].year, starts[0].month, 1, tzinfo=zone)
    # The time rule (aggregates.py): a month is shown once it is over, from what was
    # recorded before it ended, so a shown figure never moves with one new answer.
    ends = {m: datetime.combine(add_months(m, 1), time.min, zone) for m in starts}
    tables = {key: Table(now=now) for key, _, _ in HEALTH_MEASURES}
    for table in tables.values():
        for m in starts:
            table.node(m, ends_at=ends[m])

    def add(key, month, person, value, recorded_at=None):
        if month in tables[key].parent:
            tables[key].add(month, person, value, recorded_at=recorded_at)

    for starts_at, member_id, status, recorded_at in Attendance.objects.filter(
        meeting__group=group, meeting__starts_at__gte=since
    ).values_list("meeting__starts_at", "member_id", "status", "recorded_at"):
        month = month_of(starts_at, zone)
        add("attendance", month, member_id, status == AttendanceStatus.PRESENT, recorded_at)
    due = list(
        Commitment.objects.filter(
            group=group, due_on__gte=starts[0], due_on__lte=timezone.localdate()
        ).values_list("pk", "due_on", "member_id")
    )
    # Each commitment's outcome as it stood when its month ended (a later check-in
    # counts for nothing already shown).
    outcome_at_end: dict[int, str] = {}
    for commitment_id, status, created_at, due_on in (
        CommitmentCheckIn.objects.filter(commitment_id__in=[pk for pk, _, _ in due])
        .order_by("created_at", "pk")
        .values_list("commitment_id", "status", "created_at", "commitment__due_on")
    ):
        if created_at < ends.get(due_on.replace(day=1), created_at):
            outcome_at_end[commitment_id] = status
    for pk, due_on, member_id in due:
        credit = float(CHECK_IN_CREDIT.get(outcome_at_end.get(pk), 0))
        add("commitments_kept", due_on.replace(day=1), member_id, credit)
    for month, user_id, answered_at, value in Pulse.objects.filter(
        group=group, month__gte=starts[0]
    ).values_list("month", "user_id", "answered_at", "meeting_value"):
        # Not answered by the month's end counts as not answered, whenever it comes.
        answered = answered_at is not None and answered_at < ends.get(month, answered_at)
        add("response_rate", month, user_id, answered)
        if value is not None:
            add("meeting_value", month, user_id, value, recorded_at=answered_at)
    # Issues processed per meeting held: people behind it are those present.
    meetings = {
        pk: month_of(starts_at, zone)
        for pk, starts_at in Meeting.objects.filter(
            group=group, starts_at__gte=since, starts_at__lte=timezone.now()
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .values_list("pk", "starts_at")
    }
    processed = defaultdict(int)
    for meeting_id, processed_at in Issue.objects.filter(
        meeting_id__in=meetings, status=IssueStatus.PROCESSED
    ).values_list("meeting_id", "processed_at"):
        if processed_at is None or processed_at < ends[meetings[meeting_id]]:
            processed[meeting_id] += 1
    present = defaultdict(set)
    for meeting_id, member_id, recorded_at in Attendance.objects.filter(
        meeting_id__in=meetings, status=AttendanceStatus.PRESENT
    ).values_list("meeting_id", "member_id", "recorded_at"):
        if recorded_at < ends[meetings[meeting_id]]:
            present[meeting_id].add(member_id)
    for meeting_id, month in meetings.items():
        people = sorted(present[meeting_id]) or [None]
        # One record per meeting (its count); the people present stand behind it.
        for i, person in enumerate(people):
            if person is not None:
                add("issues_per_meeting", month, person, processed[meeting_id] if i == 0 else None)
    reducers = {
        "attendance": aggregates.percent,
        "commitments_kept": aggregates.percent,
        "meeting_value": aggregates.mean,
        "response_rate": aggregates.percent,
        "issues_per_meeting": _per_meeting,
    }
    rows = []
    for key, label, unit in HEALTH_MEASURES:
        figures = tables[key].figures(reducers[key])
        values = [figures[m].value for m in starts]
        rows.append(
            {
                "key": key,
                "label": str(label),
                "unit": unit,
                "months": [{"month": m, "figure": figures[m]} for m in starts],
                "latest": figures[starts[-1]],
                "flag": dropped_two_months_running(values),
            }
        )
    return {"group": group, "months": starts, "measures": rows}


def _per_meeting(values: list) -> float | None:
    counts = [v for v in values if v is not None]
    return round(sum(counts) / len(counts), 1) if counts else None


# --- program outcomes (the admins') ----------------------------------------------------

ALL = ("all",)


def _program(pid: int) -> tuple:
    return ("program", pid)


def _cycle(pid: int, cycle: int) -> tuple:
    return ("cycle", pid, cycle)


@dataclass(frozen=True)
class OutcomeFilters:
    program_id: int | None = None
    cycle: int | None = None

    def __post_init__(self) -> None:
        if self.cycle is not None and self.program_id is None:  # cycles are per program
            raise Invalid(gettext("Choose a program to filter by cycle."), field="cycle")


ADMIN_COLUMNS = [
    # key, label, unit
    ("people", gettext_lazy("People asked"), ""),
    ("response_rate", gettext_lazy("Pulse response rate"), " %"),
    ("meeting_value", gettext_lazy("Meeting value (1–7)"), ""),
    ("attendance", gettext_lazy("Attendance"), " %"),
    ("commitments_kept", gettext_lazy("Commitments kept"), " %"),
    *[
        (f"change_{key}", lazy_format(gettext_lazy("Change: %(label)s"), label=label), unit)
        for key, label, unit, *_ in MEASURES
    ],
    *[
        (
            f"retention_{n}",
            lazy_format(gettext_lazy("Still active after %(months)s months"), months=n),
            " %",
        )
        for n in RETENTION_MONTHS
    ],
]


def program_outcomes(*, access: OrgAccess, filters: OutcomeFilters | None = None) -> dict:
    """Per program and cycle, the organization's outcomes; aggregates only.

    Every figure is decided on the table of the whole organization (all > program >
    cycle); a filter only selects rows of it. The figures of a period are worked out
    once (`_period_figures`, from one row per cycle and measure) and kept
    (`OutcomeSnapshot`): a page reads three rows, whatever the data's size.

    The time rule (aggregates.py): the figures cover the last closed months only, from
    what was recorded before the current month began, and people are shown in bands;
    so no figure moves with one new answer in the open month, nor, being kept, with a
    membership that ends in it (a removal or deactivation deletes the membership that
    retention counted).
    """
    access.require(Role.ADMIN)
    filters = filters or OutcomeFilters()
    organization = access.organization
    this_month = open_month(organization)
    # The period: RECENT_MONTHS closed months, up to (not including) the open month.
    until = this_month - relativedelta(days=1)
    recent = month_starts(until, RECENT_MONTHS)[0]
    programs = {
        p.pk: p
        for p in sorted(
            Program.objects.filter(organization=organization), key=lambda p: natural_key(p.name)
        )
    }
    if filters.program_id is not None and filters.program_id not in programs:
        raise Invalid(gettext("No such program in this organization."), field="program")
    cycles = sorted(
        set(
            PeerGroup.objects.filter(organization=organization)
            .values_list("program_id", "cycle")
            .order_by()
        )
    )
    if filters.program_id is None:
        row_keys = [ALL, *(_program(pid) for pid in programs)]
    elif filters.cycle is None:
        row_keys = [_program(filters.program_id)] + [
            _cycle(pid, c) for pid, c in cycles if pid == filters.program_id
        ]
    else:
        row_keys = [_cycle(filters.program_id, filters.cycle)]
        if (filters.program_id, filters.cycle) not in cycles:
            raise Invalid(gettext("No such cycle in this program."), field="cycle")
    figures = outcome_figures_kept(organization=organization, this_month=this_month)
    rows = []
    for row_key in row_keys:
        # A program or cycle made after the figures were worked out had no records in
        # the period: its figures are those of an empty node.
        cells = {
            key: figures[key].get(row_key) or Figure(value=REDUCERS[key]([]), people=0)
            for key in OUTCOME_KEYS
        }
        rows.append(
            {
                "key": row_key,
                "label": _row_label(row_key, programs),
                "program_id": row_key[1] if row_key != ALL else None,
                "cycle": row_key[2] if row_key[0] == "cycle" else None,
                "cells": cells,
                "ordered": [(key, unit, cells[key]) for key, _, unit in ADMIN_COLUMNS],
                "issues": [cells[f"issues_{c}"] for c in IssueCategory.values],
            }
        )
    return {
        "rows": rows,
        "programs": list(programs.values()),
        "cycles": [c for pid, c in cycles if pid == filters.program_id],
        "filters": filters,
        "since": recent,
        "until": until,
        "categories": IssueCategory.choices,
        "columns": ADMIN_COLUMNS,
    }


OUTCOME_KEYS = [key for key, _, _ in ADMIN_COLUMNS] + [f"issues_{c}" for c in IssueCategory.values]
REDUCERS = {
    "people": lambda values: None,  # the figure is its count of people
    "response_rate": aggregates.percent_of,
    "meeting_value": aggregates.mean_of,
    "attendance": aggregates.percent_of,
    "commitments_kept": aggregates.percent_of,
    **{f"change_{k}": aggregates.quartiles_of for k in MEASURE_KEYS},
    **{f"retention_{n}": aggregates.percent_of for n in RETENTION_MONTHS},
    **{f"issues_{c}": aggregates.total_of for c in IssueCategory.values},
}


def open_month(organization: Organization, now: datetime | None = None) -> date:
    """The first day of the month not over yet, in the organization's time zone."""
    zone = ZoneInfo(organization.time_zone or "UTC")
    return (now or timezone.now()).astimezone(zone).date().replace(day=1)


def outcome_figures_kept(*, organization: Organization, this_month: date) -> dict[str, dict]:
    """The period's figures as first worked out in it (`OutcomeSnapshot`), or worked out
    now and kept. They are a function of records made before the period ended, so
    keeping them changes nothing a reader could see, except that a deletion (a
    membership ended, a person erased) no longer moves a figure already shown."""
    kept = (
        OutcomeSnapshot.objects.filter(organization=organization, month=this_month)
        .values_list("figures", flat=True)
        .first()
    )
    if kept is not None:
        return _figures_from_json(kept)
    figures = _period_figures(organization, this_month)
    try:
        with transaction.atomic():
            OutcomeSnapshot.objects.create(
                organization=organization, month=this_month, figures=_figures_to_json(figures)
            )
            OutcomeSnapshot.objects.filter(organization=organization, month__lt=this_month).delete()
    except IntegrityError:  # another request kept the same figures first
        pass
    return figures


# Why a figure is hidden is kept as a code, not as text: the reason is shown in each
# reader's language, so the kept figures hold no sentence.
_HIDDEN_CODES = {"": "", "fewer": aggregates.FEWER, "complement": aggregates.COMPLEMENT}


def _hidden_code(reason) -> str:
    for code, text in _HIDDEN_CODES.items():
        if reason == text:
            return code
    raise ValueError(f"Unknown reason for a hidden figure: {reason!r}")


def _figures_to_json(figures: dict[str, dict]) -> dict:
    return {
        key: [[list(node), f.value, f.people, _hidden_code(f.hidden)] for node, f in nodes.items()]
        for key, nodes in figures.items()
    }


def _figures_from_json(kept: dict) -> dict[str, dict]:
    return {
        key: {
            tuple(node): Figure(
                value=tuple(value) if isinstance(value, list) else value,
                people=people,
                hidden=_HIDDEN_CODES[hidden],
            )
            for node, value, people, hidden in nodes
        }
        for key, nodes in kept.items()
    }


def _period_figures(organization: Organization, this_month: date) -> dict[str, dict]:
    """Every node's figure of every measure (key -> node -> Figure) for the period that
    ends as `this_month` begins. Eight queries, one row per cycle each."""
    zone = ZoneInfo(organization.time_zone or "UTC")
    now = timezone.now()
    until = this_month - relativedelta(days=1)
    recent = month_starts(until, RECENT_MONTHS)[0]
    period_end = datetime.combine(this_month, time.min, zone)
    since = datetime.combine(recent, time.min, zone)
    programs = sorted(
        Program.objects.filter(organization=organization).values_list("pk", flat=True)
    )
    cycles = sorted(
        set(
            PeerGroup.objects.filter(organization=organization)
            .values_list("program_id", "cycle")
            .order_by()
        )
    )

    tables = {key: Table(now=now) for key in OUTCOME_KEYS}
    for table in tables.values():
        table.node(ALL, ends_at=period_end)
        for pid in programs:
            table.node(_program(pid), parent=ALL, ends_at=period_end)
        for pid, cycle in cycles:
            table.node(_cycle(pid, cycle), parent=_program(pid), ends_at=period_end)

    # Every measure is collected in SQL per cycle: the distinct people behind it and its
    # partial figure (aggregates.Collect), one row per cycle, never one per person and
    # month. The table decides on exactly the people it decided on record by record.
    # The time rule: only what was recorded before the period ended counts.
    answered = Q(answered_at__lt=period_end)  # not answered by then: not answered
    valued = answered & Q(meeting_value__isnull=False)
    period_pulses = Pulse.objects.filter(
        organization=organization, month__gte=recent, month__lt=this_month, group__isnull=False
    )
    for pid, cycle, asked, records, answers, rated, value_sum, value_records in (
        period_pulses.values_list("group__program_id", "group__cycle")
        .annotate(
            asked=Collect("user_id", distinct=True),
            records=Count("pk"),
            answers=Count("pk", filter=answered),
            rated=Collect("user_id", distinct=True, filter=valued),
            value_sum=Sum("meeting_value", filter=valued),
            value_records=Count("pk", filter=valued),
        )
        .order_by()
    ):
        node = _cycle(pid, cycle)
        tables["people"].add_people(node, asked)
        tables["response_rate"].add_people(node, asked, (answers, records))
        if rated:
            tables["meeting_value"].add_people(node, rated, (value_sum, value_records))
    _changes(organization, recent, this_month, period_end, tables)
    for pid, cycle, members, present, held in (
        Attendance.objects.filter(
            meeting__group__organization=organization,
            meeting__starts_at__gte=since,
            meeting__starts_at__lt=period_end,
            recorded_at__lt=period_end,
        )
        .values_list("meeting__group__program_id", "meeting__group__cycle")
        .annotate(
            members=Collect("member_id", distinct=True),
            present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
            held=Count("pk"),
        )
        .order_by()
    ):
        tables["attendance"].add_people(_cycle(pid, cycle), members, (present, held))
    # Each commitment's outcome as it stood when the period ended (a later check-in
    # counts for nothing already shown), counted per cycle and outcome.
    outcome_then = CommitmentCheckIn.objects.filter(
        commitment=OuterRef("pk"), created_at__lt=period_end
    ).order_by("-created_at", "-pk")
    kept: dict[tuple, tuple[set, float, int]] = {}
    for pid, cycle, outcome, members, due in (
        Commitment.objects.filter(
            group__organization=organization, due_on__gte=recent, due_on__lt=this_month
        )
        .annotate(outcome_then=Subquery(outcome_then.values("status")[:1]))
        .values_list("group__program_id", "group__cycle", "outcome_then")
        .annotate(members=Collect("member_id", distinct=True), due=Count("pk"))
        .order_by()
    ):
        people, credit, records = kept.get(_cycle(pid, cycle), (set(), 0.0, 0))
        # Credits are 0, 0.5 and 1: their float sum is exact, as it was record by record.
        credit += due * float(CHECK_IN_CREDIT.get(outcome, 0))
        kept[_cycle(pid, cycle)] = (people.union(members), credit, records + due)
    for node, (people, credit, records) in kept.items():
        tables["commitments_kept"].add_people(node, people, (credit, records))
    for pid, cycle, category, authors, raised in (
        Issue.objects.filter(
            group__organization=organization,
            created_at__gte=datetime.combine(month_starts(until, 12)[0], time.min, zone),
            created_at__lt=period_end,
        )
        .values_list("group__program_id", "group__cycle", "category")
        .annotate(authors=Collect("author_id", distinct=True), raised=Count("pk"))
        .order_by()
    ):
        if f"issues_{category}" in tables:
            tables[f"issues_{category}"].add_people(_cycle(pid, cycle), authors, raised)
    _retention(organization, this_month, period_end, tables)
    return {key: tables[key].figures(REDUCERS[key]) for key in OUTCOME_KEYS}


# --- the two measures that need each person's own rows ----------------------------------
# The change from baseline (a median needs every value) and retention (a first join and a
# last activity per person) are worked out per person inside the database, which hands
# back one row per cycle: the people behind each figure and its values, as Collect does
# for the other measures (ARRAY_AGG on PostgreSQL, GROUP_CONCAT on SQLite).


def _collect_sql(column: str, condition: str) -> str:
    """`column` over the rows where `condition` holds, as aggregates.Collect gives it."""
    if connection.vendor == "postgresql":
        return f"ARRAY_AGG({column}) FILTER (WHERE {condition})"
    return f"GROUP_CONCAT(CASE WHEN {condition} THEN {column} END)"


def _add_months_sql(day: str, months: int) -> str:
    """The date column `day` plus `months`, as add_months (relativedelta): the month's
    last day where the day overflows it (31 January + 1 month is 28 or 29 February)."""
    months = int(months)
    if connection.vendor == "postgresql":
        return f"({day} + make_interval(months => {months}))::date"
    # SQLite's date modifiers roll over (31 January + 1 month is 2 or 3 March): add the
    # months to the first of the month, then the days, and keep the month's last day.
    return (
        f"MIN(date({day}, 'start of month', '+{months + 1} months', '-1 day'), "
        f"date({day}, 'start of month', '+{months} months', "
        f"'+' || (CAST(strftime('%%d', {day}) AS INTEGER) - 1) || ' days'))"
    )


def _greatest_sql(a: str, b: str) -> str:
    """The later of two dates, either of which may be NULL (NULL when both are)."""
    function = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    return f"{function}(COALESCE({a}, {b}), COALESCE({b}, {a}))"


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _changes(organization, recent, this_month, period_end, tables) -> None:
    """Change from baseline: each person's latest answered pulse of the period against
    their baseline, counted in that pulse's cycle. One query, one row per cycle with the
    people and the differences of each measure."""
    ops = connection.ops
    collected = []
    for key in MEASURE_KEYS:
        both = f"l.{key} IS NOT NULL AND b.{key} IS NOT NULL"
        collected += [_collect_sql("l.user_id", both), _collect_sql(f"l.{key} - b.{key}", both)]
    sql = f"""
        SELECT l.program_id, l.cycle, {", ".join(collected)}
        FROM (
            SELECT p.user_id, g.program_id, g.cycle, {", ".join(f"p.{k}" for k in MEASURE_KEYS)},
                ROW_NUMBER() OVER (PARTITION BY p.user_id ORDER BY p.month DESC) AS nth
            FROM {Pulse._meta.db_table} p JOIN {PeerGroup._meta.db_table} g ON g.id = p.group_id
            WHERE p.organization_id = %s AND p.month >= %s AND p.month < %s
                AND p.answered_at < %s
        ) l
        JOIN {Baseline._meta.db_table} b ON b.user_id = l.user_id
        WHERE l.nth = 1 AND b.organization_id = %s AND b.recorded_at < %s
        GROUP BY l.program_id, l.cycle
    """
    end = ops.adapt_datetimefield_value(period_end)
    params = [
        organization.pk,
        ops.adapt_datefield_value(recent),
        ops.adapt_datefield_value(this_month),
        end,
        organization.pk,
        end,
    ]
    for pid, cycle, *parts in _fetch(sql, params):
        for i, key in enumerate(MEASURE_KEYS):
            people = aggregates.ints(parts[2 * i])
            if people:
                values = [float(v) for v in aggregates.ints(parts[2 * i + 1])]
                tables[f"change_{key}"].add_people(_cycle(pid, cycle), people, values)


def _retention(organization, this_month, period_end, tables) -> None:
    """Still active N months after joining a program: answered a pulse or was present
    at a meeting on or after that day. Counted in the cycle they first joined in, for
    people who joined at least N months before the period's last day; only what was
    recorded before the period ended counts. One query, one row per cycle."""
    ops = connection.ops
    # Days as `__date` gives them: in the current time zone.
    zone = timezone.get_current_timezone_name()
    # The program join date, which a move keeps: a moved member stays in the population.
    joined_sql, joined_params = ops.datetime_cast_date_sql(
        "COALESCE(m.program_joined_at, m.joined_at)", (), zone
    )
    pulse_day, pulse_params = ops.datetime_cast_date_sql("pu.last", (), zone)
    present_day, present_params = ops.datetime_cast_date_sql("pr.last", (), zone)
    counted, params = [], []
    for n in RETENTION_MONTHS:
        # Joined N months before the period's last day: in a month before this one's
        # N months earlier (a day plus N months stays in the month N months on).
        joined_by = "joined < %s"
        counted += [
            _collect_sql("user_id", joined_by),
            f"COUNT(CASE WHEN {joined_by} AND last_seen >= {_add_months_sql('joined', n)}"
            " THEN 1 END)",
        ]
        params += [ops.adapt_datefield_value(add_months(this_month, -n))] * 2
    end = ops.adapt_datetimefield_value(period_end)
    group = PeerGroup._meta.db_table
    sql = f"""
        WITH firsts AS (
            SELECT user_id, program_id, cycle, joined FROM (
                SELECT m.user_id, g.program_id, g.cycle, {joined_sql} AS joined,
                    ROW_NUMBER() OVER (
                        PARTITION BY g.program_id, m.user_id
                        ORDER BY COALESCE(m.program_joined_at, m.joined_at), m.id
                    ) AS nth
                FROM {GroupMembership._meta.db_table} m JOIN {group} g ON g.id = m.group_id
                WHERE g.organization_id = %s
            ) ranked
            WHERE nth = 1
        ),
        pulsed AS (
            SELECT user_id, MAX(answered_at) AS last FROM {Pulse._meta.db_table}
            WHERE organization_id = %s AND answered_at < %s
            GROUP BY user_id
        ),
        present AS (
            SELECT a.member_id AS user_id, MAX(mt.starts_at) AS last
            FROM {Attendance._meta.db_table} a
                JOIN {Meeting._meta.db_table} mt ON mt.id = a.meeting_id
                JOIN {group} g ON g.id = mt.group_id
            WHERE g.organization_id = %s AND a.status = %s AND mt.starts_at < %s
                AND a.recorded_at < %s
            GROUP BY a.member_id
        ),
        seen AS (
            SELECT f.program_id, f.cycle, f.user_id, f.joined,
                {pulse_day} AS pulse_day, {present_day} AS present_day
            FROM firsts f
                LEFT JOIN pulsed pu ON pu.user_id = f.user_id
                LEFT JOIN present pr ON pr.user_id = f.user_id
        )
        SELECT program_id, cycle, {", ".join(counted)}
        FROM (
            SELECT program_id, cycle, user_id, joined,
                {_greatest_sql("pulse_day", "present_day")} AS last_seen
            FROM seen
        ) people
        GROUP BY program_id, cycle
    """
    params = [
        *joined_params,
        organization.pk,
        organization.pk,
        end,
        organization.pk,
        AttendanceStatus.PRESENT.value,
        end,
        end,
        *pulse_params,
        *present_params,
        *params,
    ]
    for pid, cycle, *parts in _fetch(sql, params):
        for i, n in enumerate(RETENTION_MONTHS):
            people = aggregates.ints(parts[2 * i])
            if people:
                tables[f"retention_{n}"].add_people(
                    _cycle(pid, cycle), people, (parts[2 * i + 1], len(people))
                )


def _row_label(key: tuple, programs: dict) -> str:
    if key == ALL:
        return gettext("All programs")
    if key[0] == "program":
        return programs[key[1]].name
    return gettext("%(program)s, cycle %(cycle)s") % {
        "program": programs[key[1]].name,
        "cycle": key[2],
    }


def outcome_rows_flat(result: dict) -> tuple[list[str], list[list[str]]]:
    """The page's table as text cells, for the CSV export: exactly what the page shows."""
    header = [gettext("Row")]
    for key, label, _unit in result["columns"]:
        if key.startswith("change_"):
            header += [
                gettext("%(label)s: median") % {"label": label},
                gettext("%(label)s: 25th percentile") % {"label": label},
                gettext("%(label)s: 75th percentile") % {"label": label},
            ]
        else:
            header.append(label)
    header += [gettext("Issues: %(label)s") % {"label": label} for _, label in result["categories"]]
    lines = []
    for row in result["rows"]:
        line = [row["label"]]
        for key, _label, unit in result["columns"]:
            figure = row["cells"][key]
            if key.startswith("change_"):
                if not figure.shown:
                    line += [gettext("not shown (%(hidden)s)") % {"hidden": figure.hidden}, "", ""]
                elif figure.value is None:
                    line += ["", "", ""]
                else:
                    q1, median, q3 = figure.value
                    line += [_signed(median), _signed(q1), _signed(q3)]
            else:
                line.append(figure_text(figure, unit, people=key == "people"))
        for value, _ in result["categories"]:
            line.append(figure_text(row["cells"][f"issues_{value}"], ""))
        lines.append(line)
    return header, lines


def _signed(value: float) -> str:
    return f"{value:+g}"


def figure_text(figure, unit: str, people: bool = False) -> str:
    if not figure.shown:
        return gettext("not shown (%(hidden)s)") % {"hidden": figure.hidden}
    if people:  # a band, never the exact count (the time rule)
        return figure.people_band
    value = figure.value
    return "" if value is None else f"{value}{unit}"


MARGIN_LABELS = dict(MarginTrend.choices)
