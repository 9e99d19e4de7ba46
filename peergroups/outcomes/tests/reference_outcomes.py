"""The program outcomes as they were computed before the figures were collected in SQL:
every record added to the table one by one (peergroups.aggregates, `Table.add`). Kept
only as the oracle that `test_outcomes_equivalence` compares the selector with; the
body is the selector of main at 5592801, unchanged but for its name.
"""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from peergroups import aggregates
from peergroups.aggregates import Table
from peergroups.errors import Invalid
from peergroups.formats import natural_key
from peergroups.goals.models import CHECK_IN_CREDIT, Commitment, CommitmentCheckIn
from peergroups.goals.selectors import month_starts
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.meetings.models import Attendance, AttendanceStatus, Issue, IssueCategory
from peergroups.organizations.access import OrgAccess
from peergroups.organizations.models import Program, Role
from peergroups.outcomes.models import Baseline, Pulse
from peergroups.outcomes.selectors import (
    ADMIN_COLUMNS,
    ALL,
    MEASURE_KEYS,
    RECENT_MONTHS,
    RETENTION_MONTHS,
    OutcomeFilters,
    _cycle,
    _program,
    _row_label,
    add_months,
)


def program_outcomes_record_by_record(
    *, access: OrgAccess, filters: OutcomeFilters | None = None
) -> dict:
    """Per program and cycle, the organization's outcomes; aggregates only.

    Every figure is decided on the table of the whole organization (all > program >
    cycle); a filter only selects rows of it. Ten queries, whatever the data's size.

    The time rule (aggregates.py): the figures cover the last closed months only, from
    what was recorded before the current month began, and people are shown in bands;
    so no figure moves with one new answer in the open month.
    """
    access.require(Role.ADMIN)
    filters = filters or OutcomeFilters()
    organization = access.organization
    zone = ZoneInfo(organization.time_zone or "UTC")
    now = timezone.now()
    this_month = now.astimezone(zone).date().replace(day=1)
    # The period: RECENT_MONTHS closed months, up to (not including) the open month.
    until = this_month - relativedelta(days=1)
    recent = month_starts(until, RECENT_MONTHS)[0]
    period_end = datetime.combine(this_month, time.min, zone)
    since = datetime.combine(recent, time.min, zone)
    programs = {
        p.pk: p
        for p in sorted(
            Program.objects.filter(organization=organization), key=lambda p: natural_key(p.name)
        )
    }
    if filters.program_id is not None and filters.program_id not in programs:
        raise Invalid("No such program in this organization.", field="program")
    groups = dict(
        PeerGroup.objects.filter(organization=organization).values_list("pk", "program_id")
    )
    cycle_of = dict(PeerGroup.objects.filter(organization=organization).values_list("pk", "cycle"))
    cycles = sorted({(groups[g], cycle_of[g]) for g in groups})

    keys = [key for key, _, _ in ADMIN_COLUMNS] + [f"issues_{c}" for c in IssueCategory.values]
    tables = {key: Table(now=now) for key in keys}
    for table in tables.values():
        table.node(ALL, ends_at=period_end)
        for pid in programs:
            table.node(_program(pid), parent=ALL, ends_at=period_end)
        for pid, cycle in cycles:
            table.node(_cycle(pid, cycle), parent=_program(pid), ends_at=period_end)

    leaf = {group_id: _cycle(groups[group_id], cycle_of[group_id]) for group_id in groups}

    def add(key, group_id, person, value=None, recorded_at=None):
        node = leaf.get(group_id)
        if node is not None:
            tables[key].add(node, person, value, recorded_at=recorded_at)

    # Pulses of the closed months: who was asked, who answered by the period's end, the
    # meeting's value, and each person's latest answers (for the change from baseline).
    latest: dict[int, tuple] = {}
    for group_id, user_id, answered_at, value, *answers in (
        Pulse.objects.filter(organization=organization, month__gte=recent, month__lt=this_month)
        .order_by("month")
        .values_list("group_id", "user_id", "answered_at", "meeting_value", *MEASURE_KEYS)
    ):
        # Not answered by the period's end counts as not answered, whenever it comes.
        answered = answered_at is not None and answered_at < period_end
        add("people", group_id, user_id)
        add("response_rate", group_id, user_id, answered)
        if value is not None and answered:
            add("meeting_value", group_id, user_id, value)
        if answered:
            latest[user_id] = (group_id, answers)
    baselines = {
        row[0]: row[1:]
        for row in Baseline.objects.filter(
            organization=organization, user__in=latest, recorded_at__lt=period_end
        ).values_list("user_id", *MEASURE_KEYS)
    }
    for user_id, (group_id, answers) in latest.items():
        base = baselines.get(user_id)
        if base is None:
            continue
        for key, now_value, then_value in zip(MEASURE_KEYS, answers, base, strict=True):
            if now_value is not None and then_value is not None:
                add(f"change_{key}", group_id, user_id, float(now_value) - float(then_value))
    for group_id, member_id, status, recorded_at in Attendance.objects.filter(
        meeting__group__organization=organization,
        meeting__starts_at__gte=since,
        meeting__starts_at__lt=period_end,
    ).values_list("meeting__group_id", "member_id", "status", "recorded_at"):
        add("attendance", group_id, member_id, status == AttendanceStatus.PRESENT, recorded_at)
    # Each commitment's outcome as it stood when the period ended (a later check-in
    # counts for nothing already shown).
    outcome_then = CommitmentCheckIn.objects.filter(
        commitment=OuterRef("pk"), created_at__lt=period_end
    ).order_by("-created_at", "-pk")
    for group_id, member_id, outcome in (
        Commitment.objects.filter(
            group__organization=organization, due_on__gte=recent, due_on__lt=this_month
        )
        .annotate(outcome_then=Subquery(outcome_then.values("status")[:1]))
        .values_list("group_id", "member_id", "outcome_then")
    ):
        add("commitments_kept", group_id, member_id, float(CHECK_IN_CREDIT.get(outcome, 0)))
    for group_id, author_id, category, created_at in Issue.objects.filter(
        group__organization=organization,
        created_at__gte=datetime.combine(month_starts(until, 12)[0], time.min, zone),
        created_at__lt=period_end,
    ).values_list("group_id", "author_id", "category", "created_at"):
        add(f"issues_{category}", group_id, author_id, recorded_at=created_at)
    _retention(organization, groups, cycle_of, tables, until, period_end)

    reducers = {
        "people": lambda values: None,  # the figure is its count of people
        "response_rate": aggregates.percent,
        "meeting_value": aggregates.mean,
        "attendance": aggregates.percent,
        "commitments_kept": aggregates.percent,
        **{f"change_{k}": aggregates.quartiles for k in MEASURE_KEYS},
        **{f"retention_{n}": aggregates.percent for n in RETENTION_MONTHS},
        **{f"issues_{c}": aggregates.count for c in IssueCategory.values},
    }
    if filters.program_id is None:
        row_keys = [ALL, *(_program(pid) for pid in programs)]
    elif filters.cycle is None:
        row_keys = [_program(filters.program_id)] + [
            _cycle(pid, c) for pid, c in cycles if pid == filters.program_id
        ]
    else:
        row_keys = [_cycle(filters.program_id, filters.cycle)]
        if (filters.program_id, filters.cycle) not in cycles:
            raise Invalid("No such cycle in this program.", field="cycle")
    views = {key: tables[key].select(row_keys, reducers[key]) for key in keys}
    rows = []
    for row_key in row_keys:
        cells = {key: views[key][row_key] for key in keys}
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


def _retention(organization, groups, cycle_of, tables, until, period_end) -> None:
    """Still active N months after joining a program: answered a pulse or was present
    at a meeting on or after that day. Counted in the cycle they first joined in, for
    people who joined at least N months before the period's last day; only what was
    recorded before the period ended counts."""
    first: dict[tuple[int, int], tuple] = {}
    # The program join date, which a move keeps: a moved member stays in the population.
    for group_id, user_id, joined_at in (
        GroupMembership.objects.filter(group__organization=organization)
        .annotate(program_joined=Coalesce("program_joined_at", "joined_at"))
        .order_by("program_joined")
        .values_list("group_id", "user_id", TruncDate("program_joined"))
    ):
        first.setdefault((groups[group_id], user_id), (group_id, joined_at))
    last_pulse = dict(
        Pulse.objects.filter(organization=organization, answered_at__lt=period_end)
        .values("user_id")
        .annotate(last=Max("answered_at__date"))
        .values_list("user_id", "last")
    )
    last_present = dict(
        Attendance.objects.filter(
            meeting__group__organization=organization,
            status=AttendanceStatus.PRESENT,
            meeting__starts_at__lt=period_end,
            recorded_at__lt=period_end,
        )
        .values("member_id")
        .annotate(last=Max("meeting__starts_at__date"))
        .values_list("member_id", "last")
    )
    for (_pid, user_id), (group_id, joined) in first.items():
        moments = [m for m in (last_pulse.get(user_id), last_present.get(user_id)) if m]
        last_seen = max(moments) if moments else None
        for n in RETENTION_MONTHS:
            due = add_months(joined, n)
            if due > until:
                continue
            node = _cycle(groups[group_id], cycle_of[group_id])
            tables[f"retention_{n}"].add(node, user_id, last_seen is not None and last_seen >= due)
