"""Writes on goals, commitments and their check-ins, partners, reminder preferences and
check-in links.

Each service checks its own rules (whose goal or commitment it is, which group it
belongs to, the bounds of every figure) and raises a domain error from
peergroups.errors. Reading is decided in goals.selectors.
"""

import random
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import combinations
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from peergroups.accounts.models import User
from peergroups.audit.services import audit_record
from peergroups.errors import Conflict, Gone, Invalid, NotFound, Refused
from peergroups.formats import number_text
from peergroups.goals.models import (
    GOAL_MEASURE_MAX,
    GOAL_TEXT_MAX,
    GOAL_TITLE_MAX,
    GOAL_VALUE_MAX,
    GOAL_VALUE_MIN,
    GOAL_VALUE_PLACES,
    AccountabilityPair,
    AccountabilityPartner,
    CheckInStatus,
    CheckInToken,
    Commitment,
    CommitmentCheckIn,
    GoalReminderSent,
    GoalUpdate,
    KeyGoal,
    Visibility,
)
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.groups.selectors import MEMBER, group_member_ids, group_role
from peergroups.links import LinkWords, link_issue, link_resolve, link_use
from peergroups.meetings.models import Issue, Meeting, MeetingStatus
from peergroups.meetings.selectors import AgreementRequired, agreement_accepted
from peergroups.meetings.services import meeting_open_require, require_facilitator
from peergroups.organizations.models import Organization
from peergroups.organizations.recipients import person_active
from peergroups.textlimits import text_check

CHECK_IN_LINK_DAYS = 14  # a one-click check-in link works this long after it is sent
COMMITMENT_DEFAULT_DAYS = 30

# Marked here and translated where raised: the constants stay plain text, which other
# modules and the tests compare with.
NOT_IN_A_GROUP = gettext_noop("You make commitments to your group; you are not in one yet.")
NOT_YOUR_GROUP = gettext_noop("You can only choose a group you are a member of.")
ONLY_GOAL_OWNER = gettext_noop("Only the goal's owner can change it.")
ONLY_COMMITMENT_OWNER = gettext_noop("Only the member who made the commitment checks in on it.")


# A one-click check-in link that can no longer be used (410); the message says why.
CheckInLinkInvalid = Gone
CHECK_IN_LINK = LinkWords(
    invalid=gettext_lazy("This check-in link is not valid. Sign in to check in instead."),
    used=gettext_lazy("This check-in link has been used already. Sign in to change your check-in."),
    expired=gettext_lazy("This check-in link has expired. Sign in to check in instead."),
    ended=gettext_lazy("This check-in link no longer works."),
)


def goal_value_check(value: Decimal, *, field: str) -> Decimal:
    """Every goal figure within GOAL_VALUE_MIN..MAX with at most 2 decimals (one bound)."""
    try:
        finite = value.is_finite()
    except AttributeError:
        finite = False
    if not finite or not GOAL_VALUE_MIN <= value <= GOAL_VALUE_MAX:
        raise Invalid(
            gettext("Enter a number between %(goal_value_min)s and %(goal_value_max)s.")
            % {
                "goal_value_min": number_text(GOAL_VALUE_MIN),
                "goal_value_max": number_text(GOAL_VALUE_MAX),
            },
            field=field,
        )
    try:
        return value.quantize(Decimal(1).scaleb(-GOAL_VALUE_PLACES))
    except InvalidOperation:
        raise Invalid(gettext("Enter a number with at most 2 decimals."), field=field) from None


def _require_group_member(*, group: PeerGroup | None, user: User, organization_id: int) -> None:
    if group is None:
        raise Refused(gettext(NOT_IN_A_GROUP))
    if group.organization_id != organization_id or group_role(user=user, group=group) != MEMBER:
        raise Refused(gettext(NOT_YOUR_GROUP))


# --- goals -----------------------------------------------------------------------------


def goal_create(
    *,
    organization: Organization,
    owner: User,
    group: PeerGroup | None,
    title: str,
    measure: str,
    baseline: Decimal,
    target: Decimal,
    due_on: date,
    visibility: str = Visibility.PRIVATE,
    why: str = "",
) -> KeyGoal:
    """A key goal; `group` is the one the member chose to share it with (or None)."""
    if group is not None:
        _require_group_member(group=group, user=owner, organization_id=organization.pk)
    elif visibility == Visibility.GROUP:
        raise Invalid(
            gettext("You are not in a group yet, so the goal can only be private."),
            field="visibility",
        )
    baseline = goal_value_check(Decimal(baseline), field="baseline")
    target = goal_value_check(Decimal(target), field="target")
    goal = KeyGoal(
        organization=organization,
        owner=owner,
        group=group,
        title=text_check(title, field="title", limit=GOAL_TITLE_MAX),
        why=text_check(why, field="why", limit=GOAL_TEXT_MAX),
        measure=text_check(measure, field="measure", limit=GOAL_MEASURE_MAX),
        baseline=baseline,
        target=target,
        due_on=due_on,
        visibility=visibility,
    )
    if due_on <= goal.starts_on:
        raise Invalid(gettext("The due date must be after today."), field="due_on")
    if target == baseline:
        raise Invalid(gettext("The target must differ from the baseline."), field="target")
    if not goal.title or not goal.measure:
        raise Invalid(gettext("Give the goal a title and a measure."), field="title")
    goal.save()
    return goal


def goal_progress_add(
    *, goal: KeyGoal, value: Decimal, acting_user: User, note: str = ""
) -> GoalUpdate:
    if goal.owner_id != acting_user.pk:
        raise Refused(gettext(ONLY_GOAL_OWNER))
    if goal.dropped_at is not None:
        raise Conflict(gettext("This goal was dropped; it takes no more updates."))
    value = goal_value_check(Decimal(value), field="value")
    note = text_check(note, field="note", limit=GOAL_TEXT_MAX)
    return GoalUpdate.objects.create(goal=goal, value=value, note=note)


def goal_drop(*, goal: KeyGoal, acting_user: User) -> KeyGoal:
    if goal.owner_id != acting_user.pk:
        raise Refused(gettext(ONLY_GOAL_OWNER))
    if goal.dropped_at is None:
        goal.dropped_at = timezone.now()
        goal.save(update_fields=["dropped_at"])
    return goal


# --- commitments -----------------------------------------------------------------------


def commitment_default_due(*, group: PeerGroup, after: datetime | None = None) -> date:
    """A commitment is due by the group's next meeting, so it comes up for review there.

    With no meeting scheduled after `after` (default: now), it is due in 30 days.
    """
    after = after or timezone.now()
    upcoming = (
        Meeting.objects.filter(group=group, starts_at__gt=after)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    if upcoming is not None:
        return upcoming.astimezone(ZoneInfo(group.time_zone)).date()
    return (after + timedelta(days=COMMITMENT_DEFAULT_DAYS)).date()


def _commitment_create(*, idempotency_key: uuid.UUID | None, created_by: User, **fields):
    """Create once per form: the same key from the same person returns the first one."""
    if idempotency_key is not None:
        existing = Commitment.objects.filter(
            created_by=created_by, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return Commitment.objects.create(
                created_by=created_by, idempotency_key=idempotency_key, **fields
            )
    except IntegrityError:
        # The same form posted twice at once: the other request made it.
        existing = Commitment.objects.filter(
            created_by=created_by, idempotency_key=idempotency_key
        ).first()
        if idempotency_key is None or existing is None:
            raise
        return existing


def commitment_make(
    *,
    group: PeerGroup | None,
    member: User,
    text: str,
    due_on: date | None = None,
    idempotency_key: uuid.UUID | None = None,
) -> Commitment:
    """A commitment the member makes on their own, outside a meeting, to a group of theirs.

    Commitments are the group's content: a member who has not accepted the group's
    current confidentiality agreement is sent to it first (`AgreementRequired`), whether
    the commitment comes from the page, the API or anywhere else.
    """
    _require_group_member(
        group=group,
        user=member,
        organization_id=group.organization_id if group is not None else 0,
    )
    if not agreement_accepted(group=group, user=member):
        raise AgreementRequired(group)
    text = text_check(
        text, field="text", limit=GOAL_TEXT_MAX, blank=gettext("Say what you commit to.")
    )
    if due_on is not None and due_on < timezone.localdate():
        raise Invalid(gettext("The due date cannot be in the past."), field="due_on")
    return _commitment_create(
        idempotency_key=idempotency_key,
        created_by=member,
        group=group,
        member=member,
        text=text,
        due_on=due_on or commitment_default_due(group=group),
    )


def commitment_record(
    *,
    meeting: Meeting,
    member_id: int,
    text: str,
    acting_user: User,
    issue: Issue | None = None,
    due_on: date | None = None,
    idempotency_key: uuid.UUID | None = None,
) -> Commitment:
    """The facilitator records a member's commitment in the meeting (the presenter's)."""
    group = meeting.group
    require_facilitator(group=group, user=acting_user)
    meeting_open_require(meeting=meeting)
    if member_id not in group_member_ids(group=group):
        raise Invalid(gettext("Not a member of this group."), field="member")
    if issue is not None and issue.group_id != group.pk:
        raise NotFound(gettext("No such issue in this group."))
    text = text_check(
        text, field="text", limit=GOAL_TEXT_MAX, blank=gettext("Say what the member commits to.")
    )
    return _commitment_create(
        idempotency_key=idempotency_key,
        created_by=acting_user,
        group=group,
        meeting=meeting,
        issue=issue,
        member_id=member_id,
        text=text,
        due_on=due_on or commitment_default_due(group=group, after=meeting.starts_at),
    )


def commitment_check_in(
    *, commitment: Commitment, status: str, acting_user: User, note: str = ""
) -> CommitmentCheckIn:
    """Record what became of the commitment; checking in again replaces the outcome."""
    if commitment.member_id != acting_user.pk:
        raise Refused(gettext(ONLY_COMMITMENT_OWNER))
    if status not in CheckInStatus.values:
        raise Invalid(gettext("Say whether it is done, partly done or not done."), field="status")
    note = text_check(note, field="note", limit=GOAL_TEXT_MAX)
    return CommitmentCheckIn.objects.create(
        commitment=commitment, status=status, note=note, created_by=acting_user
    )


@transaction.atomic
def check_in_token_issue(*, commitment: Commitment, days: int = CHECK_IN_LINK_DAYS) -> str:
    return link_issue(CheckInToken, days=days, commitment=commitment)


def check_in_token_resolve(token: str) -> CheckInToken:
    """The link's row; raises CheckInLinkInvalid with a message for the person."""
    links = CheckInToken.objects.select_related("commitment__member", "commitment__group")
    link = link_resolve(links, token, CHECK_IN_LINK)
    _require_owner_active(link.commitment)
    return link


def _require_owner_active(commitment: Commitment) -> None:
    """A deactivated member's links stop working (`organizations.recipients`)."""
    if not person_active(
        organization_id=commitment.group.organization_id, user_id=commitment.member_id
    ):
        raise CHECK_IN_LINK.ended()


@transaction.atomic
def check_in_by_token(*, token: str, status: str, note: str = "") -> CommitmentCheckIn:
    """Record a check-in through a one-click link, once: the row lock makes it single use."""
    link = link_use(CheckInToken.objects.all(), token, CHECK_IN_LINK)
    commitment = Commitment.objects.select_related("member", "group").get(pk=link.commitment_id)
    _require_owner_active(commitment)  # refused: the transaction gives the link back
    # The link is the member's own credential: the check-in is theirs.
    return commitment_check_in(
        commitment=commitment, status=status, note=note, acting_user=commitment.member
    )


# --- partners --------------------------------------------------------------------------


def _partner_sets(order: list[int]) -> list[list[int]]:
    """Consecutive pairs; an odd count makes the last three a trio."""
    sets = [order[i : i + 2] for i in range(0, len(order) - len(order) % 2, 2)]
    if len(order) % 2:
        if sets:
            sets[-1].append(order[-1])
        else:
            sets = [order]
    return sets


def _repeats(sets: list[list[int]], before: set[frozenset]) -> int:
    return sum(1 for s in sets for a, b in combinations(s, 2) if frozenset((a, b)) in before)


@transaction.atomic
def partners_assign(
    *, group: PeerGroup, cycle: int, seed: int, acting_user: User | None = None, tries: int = 200
) -> list[list[int]]:
    """Pair the group's members for `cycle`, avoiding last cycle's partners where possible.

    Shuffles the roster `tries` times with a random generator seeded by `seed` and
    keeps the arrangement with the fewest repeated partners (ties: the first found),
    so the result is deterministic for a seed. An odd count makes one trio; a group
    of one gets no partner. Assigning a cycle again replaces its pairs.
    Returns the sets of user ids.
    """
    require_facilitator(group=group, user=acting_user)
    members = sorted(GroupMembership.objects.filter(group=group).values_list("user_id", flat=True))
    before = {
        frozenset(pair)
        for pair_id in AccountabilityPair.objects.filter(group=group, cycle=cycle - 1).values_list(
            "pk", flat=True
        )
        for pair in combinations(
            sorted(
                AccountabilityPartner.objects.filter(pair_id=pair_id).values_list(
                    "user_id", flat=True
                )
            ),
            2,
        )
    }
    _, deleted = AccountabilityPair.objects.filter(group=group, cycle=cycle).delete()
    replaced = deleted.get(AccountabilityPair._meta.label, 0)
    if len(members) < 2:
        return []
    rng = random.Random(seed)
    best: list[list[int]] | None = None
    best_repeats = None
    for _ in range(tries):
        order = members[:]
        rng.shuffle(order)
        sets = _partner_sets(order)
        repeats = _repeats(sets, before)
        if best_repeats is None or repeats < best_repeats:
            best, best_repeats = sets, repeats
            if repeats == 0:
                break
    for user_ids in best:
        pair = AccountabilityPair.objects.create(group=group, cycle=cycle)
        AccountabilityPartner.objects.bulk_create(
            AccountabilityPartner(pair=pair, group=group, cycle=cycle, user_id=user_id)
            for user_id in user_ids
        )
    audit_record(
        organization=group.organization,
        actor=acting_user,
        action="partners_assign",
        target=group,
        before={"cycle": cycle, "sets": replaced},
        after={"cycle": cycle, "sets": len(best), "repeats": best_repeats},
    )
    return best


# --- reminders -------------------------------------------------------------------------


def goal_reminder_claim(*, commitment: Commitment, stage: str, user: User) -> bool:
    """Claim the one reminder for this commitment, stage and person; False if taken.

    Call inside the transaction that sends the e-mail, so a failed send rolls the
    claim back for the next run (as meetings.services.reminder_claim).
    """
    try:
        with transaction.atomic():
            GoalReminderSent.objects.create(commitment=commitment, stage=stage, user=user)
    except IntegrityError:
        return False
    return True
