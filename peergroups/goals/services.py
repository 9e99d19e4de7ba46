"""Writes on goals, commitments' check-ins, partners, reminder preferences and check-in links.

Callers have resolved access through goals.selectors (or meetings.selectors); these
functions keep the invariants and write the audit trail.
"""

import random
from datetime import date
from decimal import Decimal
from itertools import combinations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from peergroups.accounts.models import User
from peergroups.errors import Gone
from peergroups.goals.models import (
    AccountabilityPair,
    AccountabilityPartner,
    CheckInToken,
    CommitmentCheckIn,
    GoalReminderSent,
    GoalUpdate,
    KeyGoal,
    ReminderPreference,
    Visibility,
)
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.links import LinkWords, link_issue, link_resolve, link_use
from peergroups.meetings.models import Commitment
from peergroups.meetings.services import commitment_default_due
from peergroups.organizations.models import Organization
from peergroups.organizations.services import audit

CHECK_IN_LINK_DAYS = 14  # a one-click check-in link works this long after it is sent


# A one-click check-in link that can no longer be used (410); the message says why.
CheckInLinkInvalid = Gone
CHECK_IN_LINK = LinkWords("check-in", instead="check in", change="change your check-in")


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
    goal = KeyGoal(
        organization=organization,
        owner=owner,
        group=group,
        title=title.strip(),
        why=why.strip(),
        measure=measure.strip(),
        baseline=baseline,
        target=target,
        due_on=due_on,
        visibility=visibility,
    )
    if visibility == Visibility.GROUP and group is None:
        raise ValidationError("You are not in a group yet, so the goal can only be private.")
    if due_on <= goal.starts_on:
        raise ValidationError("The due date must be after today.")
    if target == baseline:
        raise ValidationError("The target must differ from the baseline.")
    goal.full_clean()
    goal.save()
    return goal


def goal_progress_add(*, goal: KeyGoal, value: Decimal, note: str = "") -> GoalUpdate:
    if goal.dropped_at is not None:
        raise ValidationError("This goal was dropped; it takes no more updates.")
    return GoalUpdate.objects.create(goal=goal, value=value, note=note.strip())


def goal_drop(*, goal: KeyGoal) -> KeyGoal:
    if goal.dropped_at is None:
        goal.dropped_at = timezone.now()
        goal.save(update_fields=["dropped_at"])
    return goal


# --- commitments -----------------------------------------------------------------------


def commitment_make(
    *, group: PeerGroup, member: User, text: str, due_on: date | None = None
) -> Commitment:
    """A commitment the member makes on their own, outside a meeting."""
    text = text.strip()
    if not text:
        raise ValidationError("Say what you commit to.")
    if due_on is not None and due_on < timezone.localdate():
        raise ValidationError("The due date cannot be in the past.")
    return Commitment.objects.create(
        group=group,
        member=member,
        text=text,
        due_on=due_on or commitment_default_due(group=group),
        created_by=member,
    )


def commitment_check_in(
    *, commitment: Commitment, status: str, note: str = "", acting_user: User | None
) -> CommitmentCheckIn:
    """Record what became of the commitment; checking in again replaces the outcome."""
    check_in = CommitmentCheckIn(
        commitment=commitment, status=status, note=note.strip(), created_by=acting_user
    )
    check_in.full_clean(exclude=["commitment", "created_by"])
    check_in.save()
    return check_in


@transaction.atomic
def check_in_token_issue(*, commitment: Commitment, days: int = CHECK_IN_LINK_DAYS) -> str:
    return link_issue(CheckInToken, days=days, commitment=commitment)


def check_in_token_resolve(token: str) -> CheckInToken:
    """The link's row; raises CheckInLinkInvalid with a message for the person."""
    links = CheckInToken.objects.select_related("commitment__member", "commitment__group")
    return link_resolve(links, token, CHECK_IN_LINK)


@transaction.atomic
def check_in_by_token(*, token: str, status: str, note: str = "") -> CommitmentCheckIn:
    """Record a check-in through a one-click link, once: the row lock makes it single use."""
    link = link_use(CheckInToken.objects.all(), token, CHECK_IN_LINK)
    commitment = Commitment.objects.select_related("member").get(pk=link.commitment_id)
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
    AccountabilityPair.objects.filter(group=group, cycle=cycle).delete()
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
    audit(
        organization=group.organization,
        acting_user=acting_user,
        action="partners_assign",
        group_id=group.pk,
        cycle=cycle,
        repeats=best_repeats,
    )
    return best


# --- reminders -------------------------------------------------------------------------


def reminder_preference_set(
    *, organization: Organization, user: User, frequency: str
) -> ReminderPreference:
    preference, _ = ReminderPreference.objects.update_or_create(
        organization=organization,
        user=user,
        defaults={"frequency": frequency, "updated_at": timezone.now()},
    )
    return preference


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
