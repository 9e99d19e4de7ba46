"""The monthly pulse and its one reminder, run hourly by the task workers (outcomes/jobs.py)
or by hand with `send_pulses`.

Each member in an active group is asked once a month, at PULSE_HOUR on PULSE_DAY in
their own time zone (or within SEND_WINDOW after it) (their intake's, else their group's), so a member in Auckland
and one in New York both get it on the morning of the 1st, DST or not. A pulse not
answered after services.REMINDER_AFTER gets one reminder. The database keeps "one
pulse per member and month" and "one reminder per pulse", with any number of workers.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_tasks import task

from peergroups.formats import lazy_date, lazy_format
from peergroups.ops.mail import email_send, in_recipient_language
from peergroups.organizations.models import Organization
from peergroups.organizations.recipients import recipients as organization_recipients
from peergroups.outcomes import selectors, services
from peergroups.outcomes.models import OutcomeSnapshot, Pulse

logger = logging.getLogger(__name__)

PULSE_DAY = 1
PULSE_HOUR = 9
# A pulse missed by a stopped worker still goes out this long after its time; later
# (or for someone who joins mid-month) it waits for next month rather than arriving late.
SEND_WINDOW = timedelta(days=3)


def pulse_moment(month, zone) -> datetime:
    """When the month's pulse goes out, in the member's zone (an aware datetime)."""
    return datetime(month.year, month.month, PULSE_DAY, PULSE_HOUR, tzinfo=zone)


def pulses_send_now(now: datetime | None = None) -> dict:
    """Send the pulses and reminders that are due; returns how many of each went out."""
    now = now or timezone.now()
    sent = reminded = 0
    recipients = _still_active(selectors.pulse_recipients())
    months = {
        (p.organization_id, p.user_id, p.month)
        for p in Pulse.objects.filter(month__gte=selectors.month_starts(now.date(), 2)[0]).only(
            "organization_id", "user_id", "month"
        )
    }
    for r in recipients:
        month = selectors.month_of(now, r.zone)
        moment = pulse_moment(month, r.zone)
        if (r.organization.pk, r.user.pk, month) in months or not (
            moment <= now < moment + SEND_WINDOW
        ):
            continue
        try:
            with transaction.atomic():
                pulse = services.pulse_create(
                    organization=r.organization, user=r.user, group=r.group, month=month
                )
                if pulse is None:
                    continue  # another worker took it
                services.pulse_sent_mark(pulse=pulse, now=now)
                _send(pulse, r, reminder=False)
        except Exception:
            # One bad address must not stop the others; the pulse rolled back.
            logger.exception("pulse to user %s failed", r.user.pk)
            continue
        sent += 1
    active = {(r.organization.pk, r.user.pk): r for r in recipients}
    for pulse in Pulse.objects.filter(
        answered_at__isnull=True,
        reminded_at__isnull=True,
        sent_at__isnull=False,
        sent_at__lte=now - services.REMINDER_AFTER,
        sent_at__gt=now - timedelta(days=services.PULSE_LINK_DAYS),
    ).select_related("organization", "user"):
        recipient = active.get((pulse.organization_id, pulse.user_id))
        if recipient is None:
            continue  # no longer in an active group: not asked again
        try:
            with transaction.atomic():
                if not services.pulse_reminder_claim(pulse=pulse, now=now):
                    continue
                _send(pulse, recipient, reminder=True)
        except Exception:
            logger.exception("pulse reminder to user %s failed", pulse.user_id)
            continue
        reminded += 1
    return {"sent": sent, "reminded": reminded}


def _still_active(candidates: list) -> list:
    """The one recipients decision (`organizations.recipients`) over the pulse's people."""
    kept = set()
    for organization_id in {r.organization.pk for r in candidates}:
        kept |= {
            (organization_id, user.pk)
            for user in organization_recipients(
                organization_id=organization_id,
                users=[r.user for r in candidates if r.organization.pk == organization_id],
            )
        }
    return [r for r in candidates if (r.organization.pk, r.user.pk) in kept]


@in_recipient_language(lambda pulse, recipient, **_: (recipient.user, recipient.organization))
def _send(pulse: Pulse, recipient, *, reminder: bool) -> None:
    token = services.pulse_token_issue(pulse=pulse)
    link = settings.BASE_URL + reverse(
        "outcomes-pulse-link", kwargs={"org_slug": recipient.organization.slug, "token": token}
    )
    subject = (
        lazy_format(
            gettext_lazy("A reminder: your %(month)s pulse (under a minute)"),
            month=lazy_date(pulse.month, "F"),
        )
        if reminder
        else lazy_format(
            gettext_lazy("Your %(month)s pulse: how is work going? (under a minute)"),
            month=lazy_date(pulse.month, "F"),
        )
    )
    email_send(
        to=recipient.user.email,
        subject=subject,
        template="outcomes/email/pulse.txt",
        context={
            "person": recipient.user,
            "pulse": pulse,
            "link": link,
            "reminder": reminder,
            "days": services.PULSE_LINK_DAYS,
        },
        organization=recipient.organization,
    )


@task()
def pulses_send() -> dict:
    result = pulses_send_now()
    logger.info("pulses sent: %(sent)s, reminders: %(reminded)s", result)
    return result


def outcomes_keep_now(now: datetime | None = None) -> int:
    """Work out and keep each organization's program outcomes once its month has turned,
    so no admin's first read of the month waits for them; returns how many were."""
    now = now or timezone.now()
    kept = set(OutcomeSnapshot.objects.values_list("organization_id", "month"))
    done = 0
    for organization in Organization.objects.all():
        month = selectors.open_month(organization, now)
        if (organization.pk, month) not in kept:
            selectors.outcome_figures_kept(organization=organization, this_month=month)
            done += 1
    return done
