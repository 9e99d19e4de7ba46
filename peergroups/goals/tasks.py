"""Commitment reminders, run daily by the task workers (goals/jobs.py) or by hand with
`send_goal_reminders`.

Stages: a commitment due within DUE_SOON_DAYS without a check-in (due_soon); one
overdue without a check-in (overdue), which also nudges the member's accountability
partners (partner_overdue). Each member's preference decides how: an e-mail per
commitment, one digest on Mondays, or none.
"""

import logging
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_tasks import task

from peergroups.accounts.models import NotificationChoice, NotificationKind
from peergroups.formats import lazy_date, lazy_format
from peergroups.goals import selectors, services
from peergroups.goals.models import AccountabilityPartner, Commitment, ReminderStage
from peergroups.ops.mail import email_send, in_recipient_language
from peergroups.organizations.recipients import recipients_with_choice

logger = logging.getLogger(__name__)

DUE_SOON_DAYS = 2
OVERDUE_WINDOW_DAYS = 30  # older misses are the facilitator's to raise, not a robot's
MONDAY = 0


def _candidates(today):
    """Commitments without any check-in that are due soon or recently overdue."""
    return (
        selectors.with_outcome(
            Commitment.objects.filter(
                due_on__gte=today - timedelta(days=OVERDUE_WINDOW_DAYS),
                due_on__lte=today + timedelta(days=DUE_SOON_DAYS),
            )
        )
        .filter(outcome=None)
        .select_related("member", "group__organization", "group__facilitator")
        .order_by("due_on", "pk")
    )


def _items_by_recipient(today) -> dict:
    """(organization id, user) -> [(commitment, stage)], for everyone who gets a reminder."""
    commitments = list(_candidates(today))
    groups = {c.group_id: c.group for c in commitments}
    # Partners of the latest cycle, per group: user id -> partner users.
    partners: dict[tuple[int, int], list] = defaultdict(list)
    latest_cycle: dict[int, int] = {}
    rows = (
        AccountabilityPartner.objects.filter(group_id__in=groups)
        .select_related("user")
        .order_by("group_id", "-cycle")
    )
    by_pair: dict[int, list] = defaultdict(list)
    for row in rows:
        latest_cycle.setdefault(row.group_id, row.cycle)
        if row.cycle == latest_cycle[row.group_id]:
            by_pair[row.pair_id].append(row)
    for members in by_pair.values():
        for row in members:
            for other in members:
                if other.user_id != row.user_id:
                    partners[(row.group_id, row.user_id)].append(other.user)
    items: dict[tuple, list] = defaultdict(list)
    for c in commitments:
        org_id = c.group.organization_id
        if c.due_on >= today:
            items[(org_id, c.member)].append((c, ReminderStage.DUE_SOON))
        else:
            items[(org_id, c.member)].append((c, ReminderStage.OVERDUE))
            for partner in partners.get((c.group_id, c.member_id), []):
                items[(org_id, partner)].append((c, ReminderStage.PARTNER_OVERDUE))
    return items


def goal_reminders_send_now() -> int:
    """Send the commitment reminders that are due; returns how many e-mails went out.

    Every (commitment, stage, person) is claimed in GoalReminderSent inside the
    transaction that sends its e-mail: never twice, and never lost when a send fails.
    """
    today = timezone.localdate()
    items = _items_by_recipient(today)
    # The one recipients decision (a deactivated person, or one who turned reminders
    # off, gets nothing), per organization, with each person's choice of how.
    wanted = {
        (org_id, user.pk): choice
        for org_id in {org_id for org_id, _ in items}
        for user, choice in recipients_with_choice(
            organization_id=org_id,
            users=[user for o, user in items if o == org_id],
            kind=NotificationKind.COMMITMENT_REMINDER,
        )
    }
    sent = 0
    for (org_id, person), entries in items.items():
        frequency = wanted.get((org_id, person.pk))
        if frequency is None:
            continue
        if frequency == NotificationChoice.WEEKLY_DIGEST:
            if today.weekday() != MONDAY:
                continue
            batches = [entries]
        else:
            batches = [[entry] for entry in entries]
        for batch in batches:
            try:
                with transaction.atomic():
                    claimed = [
                        (c, stage)
                        for c, stage in batch
                        if services.goal_reminder_claim(commitment=c, stage=stage, user=person)
                    ]
                    if not claimed:
                        continue
                    _send(person, claimed, digest=len(batches) == 1 and len(batch) > 1)
            except Exception:
                # One bad address must not stop the others; the claims rolled back.
                logger.exception("goal reminder to user %s failed", person.pk)
                continue
            sent += 1
    return sent


@in_recipient_language(lambda person, claimed, **_: (person, claimed[0][0].group.organization))
def _send(person, claimed, *, digest: bool) -> None:
    lines = []
    for commitment, stage in claimed:
        org_slug = commitment.group.organization.slug
        entry = {"commitment": commitment, "stage": stage, "own": stage != "partner_overdue"}
        if entry["own"]:
            token = services.check_in_token_issue(commitment=commitment)
            path = reverse("goals-token-check-in", kwargs={"org_slug": org_slug, "token": token})
            entry["link"] = settings.BASE_URL + path
            entry["done_link"] = settings.BASE_URL + path + "?status=done"
        else:
            # A partner reads the text only where the commitment's page would show it.
            entry["may_read"] = selectors.may_read_commitment(user=person, commitment=commitment)
            entry["link"] = settings.BASE_URL + reverse(
                "goals-group", kwargs={"org_slug": org_slug, "group_id": commitment.group_id}
            )
        lines.append(entry)
    first = claimed[0][0]
    if digest:
        subject = lazy_format(
            gettext_lazy("Your commitments this week (%(count)s)"), count=len(claimed)
        )
    elif claimed[0][1] == ReminderStage.DUE_SOON:
        subject = lazy_format(
            gettext_lazy("Due %(due_on)s: your commitment"),
            due_on=lazy_date(first.due_on, "DATE_FORMAT"),
        )
    elif claimed[0][1] == ReminderStage.OVERDUE:
        subject = gettext_lazy("How did your commitment go? Check in with one click")
    else:
        subject = lazy_format(
            gettext_lazy("Your accountability partner %(partner)s could use a nudge"),
            partner=first.member.get_short_name(),
        )
    # Commitments of one group (the usual case): replies go to its facilitator.
    groups = {commitment.group for commitment, _ in claimed}
    email_send(
        to=person.email,
        subject=subject,
        template="goals/email/reminder.txt",
        context={"person": person, "lines": lines},
        organization=first.group.organization,
        reply_to=first.group.reply_to_for(person) if len(groups) == 1 else None,
    )


@task()
def goal_reminders_send() -> int:
    sent = goal_reminders_send_now()
    logger.info("goal reminders sent: %s", sent)
    return sent
