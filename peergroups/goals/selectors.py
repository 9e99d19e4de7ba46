"""Reads of goals, commitments, partners and rates; the one place that decides who reads them.

- A goal: its owner always; when visible to the group, the group's members (agreement
  accepted) and facilitator too. A private goal is a 404 to anyone else — we do not
  even confirm it exists; a group goal is a 403 to people outside that group.
- A commitment and its check-ins are group content: `commitment_for_user` resolves the
  group through meetings.selectors.group_content_for_user, so admins get 403 and a
  member who has not accepted the agreement is sent to it. Reminder e-mails use the
  same functions to decide what a recipient may read.
- Admins see completion rates per program and month, only over 5 or more people.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DateField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext

from peergroups.accounts.models import User
from peergroups.aggregates import HIDDEN_FEWER, Table
from peergroups.errors import DomainError, NotFound
from peergroups.formats import natural_key
from peergroups.goals.models import (
    CHECK_IN_CREDIT,
    AccountabilityPartner,
    CheckInStatus,
    Commitment,
    CommitmentCheckIn,
    GoalStatus,
    GoalUpdate,
    KeyGoal,
    Visibility,
)
from peergroups.groups.models import PeerGroup
from peergroups.meetings.models import Meeting
from peergroups.meetings.selectors import (
    GroupContext,
    group_content_for_user,
    member_groups_next_first,
)
from peergroups.organizations.access import OrgAccess, organization_access
from peergroups.organizations.models import Role

AT_RISK_SHARE = Decimal("0.2")  # behind the straight path by more than 20 % of the span
RECENT_DAYS = 90  # "recent" commitments, for who is slipping
SLIPPING_AT = 2  # overdue or not-done recent commitments that make a member "slipping"
CHART_MONTHS = 6


# --- goals -----------------------------------------------------------------------------


def goal_status(
    *,
    baseline: Decimal,
    target: Decimal,
    starts_on: date,
    due_on: date,
    latest: Decimal | None,
    dropped: bool,
    today: date,
) -> str:
    """A goal's status, derived from its latest progress value.

    - dropped: the member dropped it;
    - done: the latest value reached the target (at or beyond it, in the goal's
      direction: a goal may aim down, e.g. churn from 8 to 4);
    - at risk: past the due date and not done, or behind the straight path from
      baseline (on starts_on) to target (on due_on) by more than 20 % of the span
      |target - baseline|;
    - on track: otherwise, including a new goal with no update yet (its value is the
      baseline, which is where the path starts).
    """
    if dropped:
        return GoalStatus.DROPPED
    value = baseline if latest is None else latest
    direction = 1 if target > baseline else -1
    if (value - target) * direction >= 0:
        return GoalStatus.DONE
    if today > due_on:
        return GoalStatus.AT_RISK
    span = abs(target - baseline)
    elapsed = Decimal(max((today - starts_on).days, 0)) / Decimal((due_on - starts_on).days)
    expected = baseline + (target - baseline) * min(elapsed, Decimal(1))
    behind = (expected - value) * direction
    return GoalStatus.AT_RISK if behind > AT_RISK_SHARE * span else GoalStatus.ON_TRACK


def _with_latest_value(goals: QuerySet[KeyGoal]) -> QuerySet[KeyGoal]:
    latest = GoalUpdate.objects.filter(goal=OuterRef("pk")).order_by("-created_at", "-pk")
    return goals.annotate(
        latest_value=Subquery(latest.values("value")[:1]),
        latest_at=Subquery(latest.values("created_at")[:1]),
    )


def with_status(goals, today: date | None = None) -> list[KeyGoal]:
    today = today or timezone.localdate()
    result = list(goals)
    for goal in result:
        goal.status = goal_status(
            baseline=goal.baseline,
            target=goal.target,
            starts_on=goal.starts_on,
            due_on=goal.due_on,
            latest=goal.latest_value,
            dropped=goal.dropped_at is not None,
            today=today,
        )
        goal.status_label = GoalStatus(goal.status).label
    return result


def goals_of_member(*, user: User, access: OrgAccess) -> list[KeyGoal]:
    goals = KeyGoal.objects.filter(organization=access.organization, owner=user)
    return with_status(_with_latest_value(goals).select_related("organization"))


def group_goals(*, ctx: GroupContext) -> list[KeyGoal]:
    """Goals the group's members chose to share with the group."""
    goals = KeyGoal.objects.filter(group=ctx.group, visibility=Visibility.GROUP)
    return with_status(
        _with_latest_value(goals)
        .select_related("owner", "organization")
        .order_by("owner", "due_on")
    )


def goal_for_user(*, user: User, access: OrgAccess, goal_id: int) -> KeyGoal:
    """The goal if the user may read it (see the module docstring), else 404/403."""
    goal = (
        _with_latest_value(KeyGoal.objects.filter(organization=access.organization, pk=goal_id))
        .select_related("organization", "owner", "group")
        .first()
    )
    if goal is None:
        raise NotFound(gettext("No such goal."))
    if goal.owner_id != user.pk:
        if goal.visibility != Visibility.GROUP or goal.group is None:
            raise NotFound(
                gettext("No such goal.")
            )  # private: its existence is the owner's business
        group_content_for_user(user=user, access=access, group_id=goal.group_id)
    return with_status([goal])[0]


# --- commitments -----------------------------------------------------------------------


def with_outcome(commitments: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """Annotate each commitment with its latest check-in: the commitment's outcome."""
    latest = CommitmentCheckIn.objects.filter(commitment=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    return commitments.annotate(
        outcome=Subquery(latest.values("status")[:1]),
        outcome_note=Subquery(latest.values("note")[:1]),
        outcome_at=Subquery(latest.values("created_at")[:1]),
    )


def is_open(commitment: Commitment) -> bool:
    return commitment.outcome != CheckInStatus.DONE


def open_commitments(commitments: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """Not (yet) done: no check-in, or the latest says partly or not done."""
    return with_outcome(commitments).filter(~Q(outcome=CheckInStatus.DONE) | Q(outcome=None))


def commitments_of_member(*, user: User, access: OrgAccess) -> QuerySet[Commitment]:
    return (
        with_outcome(
            Commitment.objects.filter(member=user, group__organization=access.organization)
        )
        .select_related("group", "meeting")
        .order_by("due_on", "pk")
    )


def commitments_of_group(*, ctx: GroupContext) -> QuerySet[Commitment]:
    return (
        with_outcome(Commitment.objects.filter(group=ctx.group))
        .select_related("member", "meeting")
        .order_by("member__full_name", "due_on", "pk")
    )


def commitments_for_review(*, ctx: GroupContext, meeting: Meeting) -> QuerySet[Commitment]:
    """For the run-of-show's review step: the group's open commitments made before it."""
    return (
        open_commitments(
            Commitment.objects.filter(group=ctx.group).filter(
                Q(meeting__starts_at__lt=meeting.starts_at)
                | Q(meeting__isnull=True, created_at__lt=meeting.ends_at)
            )
        )
        .select_related("member", "meeting")
        .order_by("member__full_name", "due_on", "pk")
    )


def commitments_of_meeting(*, ctx: GroupContext, meeting: Meeting) -> QuerySet[Commitment]:
    return Commitment.objects.filter(group=ctx.group, meeting=meeting).select_related(
        "member", "issue"
    )


def commitments_of_issue(*, ctx: GroupContext, issue_id: int) -> QuerySet[Commitment]:
    return Commitment.objects.filter(group=ctx.group, issue_id=issue_id).select_related("member")


def commitment_for_user(*, user: User, access: OrgAccess, commitment_id: int) -> Commitment:
    """The commitment if the user may read it: its group's content rules apply."""
    commitment = (
        with_outcome(
            Commitment.objects.filter(group__organization=access.organization, pk=commitment_id)
        )
        .select_related("group__organization", "member", "meeting")
        .first()
    )
    if commitment is None:
        raise NotFound(gettext("No such commitment."))
    group_content_for_user(user=user, access=access, group_id=commitment.group_id)
    return commitment


def may_read_commitment(*, user: User, commitment: Commitment) -> bool:
    """For e-mails and tasks: does `commitment_for_user` let this person read it?"""
    try:
        access = organization_access(user, commitment.group.organization.slug)
        commitment_for_user(user=user, access=access, commitment_id=commitment.pk)
    except DomainError:
        return False
    return True


def check_ins_of(commitment: Commitment) -> QuerySet[CommitmentCheckIn]:
    return commitment.check_ins.select_related("created_by")


def member_groups(*, user: User, access: OrgAccess) -> list[PeerGroup]:
    """The member's groups here, the one they meet in next first (the default choice)."""
    return member_groups_next_first(user=user, access=access)


def member_group(*, user: User, access: OrgAccess) -> PeerGroup | None:
    """The group the member meets in next (their only group, for most members)."""
    groups = member_groups(user=user, access=access)
    return groups[0] if groups else None


# --- partners --------------------------------------------------------------------------


def partner_cycle(*, group: PeerGroup) -> int | None:
    return (
        AccountabilityPartner.objects.filter(group=group)
        .order_by("-cycle")
        .values_list("cycle", flat=True)
        .first()
    )


def partner_sets(*, group: PeerGroup, cycle: int | None = None) -> list[list[User]]:
    """The group's partner pairs (and trio) of a cycle, default the latest."""
    cycle = partner_cycle(group=group) if cycle is None else cycle
    if cycle is None:
        return []
    sets: dict[int, list[User]] = defaultdict(list)
    for row in (
        AccountabilityPartner.objects.filter(group=group, cycle=cycle)
        .select_related("user")
        .order_by("pair_id", "user__full_name")
    ):
        sets[row.pair_id].append(row.user)
    return list(sets.values())


def partners_of(*, user: User, group: PeerGroup) -> list[User]:
    """My partners of the group's latest cycle, in one query."""
    latest = (
        AccountabilityPartner.objects.filter(group=group).order_by("-cycle").values("cycle")[:1]
    )
    mine = AccountabilityPartner.objects.filter(
        group=group, cycle=Subquery(latest), user=user
    ).values("pair")
    return [
        row.user
        for row in AccountabilityPartner.objects.filter(pair__in=mine)
        .exclude(user=user)
        .select_related("user")
        .order_by("user__full_name")
    ]


def partner_commitments(
    *,
    user: User,
    group: PeerGroup,
    partners: list[User] | None = None,
    access: OrgAccess | None = None,
) -> QuerySet[Commitment]:
    """My partners' open commitments in our group; empty until I may read group content.
    `partners`: partners_of(user, group), when the caller has them already."""
    partners = partners_of(user=user, group=group) if partners is None else partners
    if not partners:
        return Commitment.objects.none()
    try:
        group_content_for_user(
            user=user,
            access=access or organization_access(user, group.organization.slug),
            group_id=group.pk,
        )
    except DomainError:
        return Commitment.objects.none()
    return (
        open_commitments(Commitment.objects.filter(group=group, member__in=partners))
        .select_related("member")
        .order_by("member__full_name", "due_on")
    )


# --- rates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """Share of commitments due whose latest check-in is done; partly done counts half."""

    credit: Decimal
    count: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.credit / self.count) if self.count else None


def rate_of(outcomes) -> Rate:
    outcomes = list(outcomes)
    credit = sum((CHECK_IN_CREDIT.get(o, Decimal(0)) for o in outcomes), Decimal(0))
    return Rate(credit=credit, count=len(outcomes))


def month_starts(today: date, months: int) -> list[date]:
    """The first days of the `months` months up to `today`'s, oldest first."""
    first = today.replace(day=1)
    starts = []
    for _ in range(months):
        starts.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return list(reversed(starts))


def monthly_rates(*, user: User, access: OrgAccess, months: int = CHART_MONTHS) -> list[dict]:
    """The member's completion rate by month of due date, over the last `months` months."""
    return _monthly(
        Commitment.objects.filter(member=user, group__organization=access.organization), months
    )


def group_monthly_rates(*, ctx: GroupContext, months: int = CHART_MONTHS) -> list[dict]:
    """The group's kept rate by month, for its facilitator."""
    return _monthly(Commitment.objects.filter(group=ctx.group), months)


def _monthly(commitments: QuerySet[Commitment], months: int) -> list[dict]:
    """Rates by month of due date. Only commitments whose due date has come count (one
    due later this month is not yet kept or missed). One query, whatever the data."""
    today = timezone.localdate()
    starts = month_starts(today, months)
    rows = with_outcome(commitments.filter(due_on__gte=starts[0], due_on__lte=today)).values_list(
        "due_on", "outcome"
    )
    return _by_month(rows, starts, today)


def _by_month(rows, starts: list[date], today: date) -> list[dict]:
    by_month: dict[date, list] = defaultdict(list)
    for due_on, outcome in rows:
        if starts[0] <= due_on <= today:
            by_month[due_on.replace(day=1)].append(outcome)
    return [{"month": m, "rate": rate_of(by_month.get(m, []))} for m in starts]


def member_rates_of(
    commitments: list[Commitment], *, days: int = RECENT_DAYS, months: int = CHART_MONTHS
) -> tuple[Rate, list[dict]]:
    """`member_rate` and `monthly_rates` from the member's commitments already read with
    their outcome (`commitments_of_member`), for a page that shows them too: the same
    figures, without reading the commitments twice more."""
    today = timezone.localdate()
    recent = [c.outcome for c in commitments if today - timedelta(days=days) < c.due_on <= today]
    monthly = _by_month(
        ((c.due_on, c.outcome) for c in commitments), month_starts(today, months), today
    )
    return rate_of(recent), monthly


def member_rate(*, user: User, access: OrgAccess, days: int = RECENT_DAYS) -> Rate:
    today = timezone.localdate()
    return rate_of(
        with_outcome(
            Commitment.objects.filter(
                member=user,
                group__organization=access.organization,
                due_on__gt=today - timedelta(days=days),
                due_on__lte=today,
            )
        ).values_list("outcome", flat=True)
    )


def group_health(*, ctx: GroupContext, days: int = RECENT_DAYS) -> dict:
    """The group's kept rate over recent commitments, and who is slipping.

    Slipping: SLIPPING_AT or more recent commitments overdue without a check-in or
    checked in as not done. For the facilitator's eyes.
    """
    today = timezone.localdate()
    rows = list(
        with_outcome(
            Commitment.objects.filter(
                group=ctx.group, due_on__gt=today - timedelta(days=days), due_on__lte=today
            )
        ).values_list("member_id", "due_on", "outcome")
    )
    misses: dict[int, int] = defaultdict(int)
    for member_id, due_on, outcome in rows:
        if outcome == CheckInStatus.NOT_DONE or (outcome is None and due_on < today):
            misses[member_id] += 1
    slipping_ids = [member_id for member_id, n in misses.items() if n >= SLIPPING_AT]
    people = {u.pk: u for u in User.objects.filter(pk__in=slipping_ids)}
    return {
        "rate": rate_of(outcome for _, _, outcome in rows),
        "slipping": sorted(
            ({"member": people[pk], "misses": misses[pk]} for pk in slipping_ids),
            key=lambda row: row["member"].full_name,
        ),
        "days": days,
    }


def goal_insights(*, access: OrgAccess, months: int = CHART_MONTHS) -> list[dict]:
    """Per program and month: the completion rate, only over 5 or more distinct people.

    A month's figure is shown only when at least that many distinct members had a
    commitment due in it; otherwise it is None ("not enough people to show"). Counts
    and rates only, never text.
    """
    access.require(Role.ADMIN)
    today = timezone.localdate()
    starts = month_starts(today, months)
    # Summed in SQL per (program, month): distinct people, commitments, and credit in
    # half points (exact, as rate_of sums Decimals). Each (program, month) stands alone
    # (no totals beside it), so its count of distinct people is all suppression needs.
    latest = CommitmentCheckIn.objects.filter(commitment=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    half_points = latest.annotate(
        points=Case(
            *(
                When(status=status, then=Value(int(2 * credit)))
                for status, credit in CHECK_IN_CREDIT.items()
            ),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).values("points")[:1]  # the latest check-in's credit, one subquery per commitment
    rows = (
        Commitment.objects.filter(
            group__organization=access.organization, due_on__gte=starts[0], due_on__lte=today
        )
        .annotate(month=TruncMonth("due_on", output_field=DateField()))
        .values_list("group__program_id", "group__program__name", "month")
        .annotate(
            people=Count("member_id", distinct=True),
            commitments=Count("pk"),
            halves=Coalesce(Sum(Subquery(half_points)), 0),
        )
        .order_by()
    )
    table = Table()
    programs: dict[int, str] = {}
    for program_id, name, month, people, commitments, halves in rows:
        key = (program_id, month)
        table.node(key)
        table.add_counted(
            key, people=people, value=Rate(credit=Decimal(halves) / 2, count=commitments)
        )
        programs[program_id] = name
    figures = table.figures(lambda rates: rates[0])
    result = []
    for program_id, name in sorted(programs.items(), key=lambda item: natural_key(item[1])):
        months_out = []
        for month in starts:
            figure = figures.get((program_id, month), HIDDEN_FEWER)
            months_out.append({"month": month, "rate": figure.value, "enough": figure.shown})
        result.append({"program_id": program_id, "program": name, "months": months_out})
    return result
