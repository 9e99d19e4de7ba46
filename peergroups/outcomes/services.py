"""Writes on baselines and pulses; every rule of each write is checked here.

Bounds come from outcomes.models (HOURS, SCALE, MARGIN_PERCENT, NOTE_MAX_LENGTH), the
same ones the form and the API schema use. The one-click link is peergroups.links.
"""

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from peergroups.accounts.models import User
from peergroups.errors import Conflict, Invalid, Refused
from peergroups.links import LinkWords, link_issue, link_resolve, link_use
from peergroups.organizations.models import Organization
from peergroups.organizations.recipients import person_active
from peergroups.outcomes.models import (
    HOURS,
    MARGIN_PERCENT,
    NOTE_MAX_LENGTH,
    SCALE,
    Baseline,
    Bound,
    MarginTrend,
    Pulse,
    PulseToken,
)
from peergroups.outcomes.selectors import month_of
from peergroups.textlimits import text_check

PULSE_LINK_DAYS = 14  # a one-click pulse link works this long after it is sent
PULSE_LINK = LinkWords(
    invalid=gettext_lazy("This pulse link is not valid. Sign in to answer it instead."),
    used=gettext_lazy("This pulse link has been used already. Sign in to see your answers."),
    expired=gettext_lazy("This pulse link has expired. Sign in to answer it instead."),
    ended=gettext_lazy("This pulse link no longer works."),
)


@dataclass(frozen=True)
class Answers:
    """What the baseline asks; a pulse adds meeting value and a private note."""

    hours_per_week: int
    productivity: int
    margin_trend: int
    goal_confidence: int
    margin_percent: Decimal | None = None


@dataclass(frozen=True)
class PulseAnswers(Answers):
    meeting_value: int | None = None
    note: str = ""


def _within(value, bound: Bound, field: str) -> None:
    if value is None or not (bound.low <= value <= bound.high):
        raise Invalid(
            gettext("%(measure)s: give a number from %(low)s to %(high)s.")
            % {"measure": bound.label.split(",")[0], "low": bound.low, "high": bound.high},
            field=field,
        )


def answers_check(answers: Answers) -> None:
    """Every bound of every answer; raises Invalid naming the field."""
    _within(answers.hours_per_week, HOURS, "hours_per_week")
    _within(answers.productivity, SCALE, "productivity")
    _within(answers.goal_confidence, SCALE, "goal_confidence")
    if answers.margin_trend not in MarginTrend.values:
        raise Invalid(gettext("Margin trend: choose down, flat or up."), field="margin_trend")
    if answers.margin_percent is not None:
        _within(answers.margin_percent, MARGIN_PERCENT, "margin_percent")
    if isinstance(answers, PulseAnswers):
        if answers.meeting_value is not None:
            _within(answers.meeting_value, SCALE, "meeting_value")
        text_check(answers.note, field="note", limit=NOTE_MAX_LENGTH)


def _baseline_fields(answers: Answers) -> dict:
    return {f.name: getattr(answers, f.name) for f in fields(Answers)}


# --- baseline --------------------------------------------------------------------------


@transaction.atomic
def baseline_record(*, organization: Organization, user: User, answers: Answers) -> Baseline:
    """A member's baseline, once: it stays as it was so the trend against it means something."""
    answers_check(answers)
    if Baseline.objects.filter(organization=organization, user=user).exists():
        raise Conflict(gettext("Your baseline is recorded already; it stays as it was."))
    try:
        with transaction.atomic():
            return Baseline.objects.create(
                organization=organization, user=user, **_baseline_fields(answers)
            )
    except IntegrityError:
        raise Conflict(gettext("Your baseline is recorded already; it stays as it was.")) from None


# --- pulses ----------------------------------------------------------------------------


def pulse_create(*, organization: Organization, user: User, group, month: date) -> Pulse | None:
    """The month's pulse for the member, or None when it exists already (any worker)."""
    try:
        with transaction.atomic():
            return Pulse.objects.create(
                organization=organization, user=user, group=group, month=month
            )
    except IntegrityError:
        return None


@transaction.atomic
def pulse_answer(*, pulse: Pulse, answers: PulseAnswers, acting_user: User) -> Pulse:
    """Record the member's answers to their pulse, once. The first answers become the
    baseline when the member has none yet."""
    if acting_user.pk != pulse.user_id:
        raise Refused(gettext("Only the member it was sent to answers a pulse."))
    answers_check(answers)
    pulse = Pulse.objects.select_for_update().get(pk=pulse.pk)
    if pulse.answered_at is not None:
        raise Conflict(
            gettext("Your pulse for %(month)s is answered already. Thank you!")
            % {"month": date_format(pulse.month, "YEAR_MONTH_FORMAT")}
        )
    for name, value in _baseline_fields(answers).items():
        setattr(pulse, name, value)
    pulse.meeting_value = answers.meeting_value
    pulse.note = answers.note.strip()
    pulse.answered_at = timezone.now()
    pulse.save()
    if not Baseline.objects.filter(
        organization_id=pulse.organization_id, user=acting_user
    ).exists():
        Baseline.objects.create(
            organization_id=pulse.organization_id, user=acting_user, **_baseline_fields(answers)
        )
    return pulse


@transaction.atomic
def pulse_answer_current(
    *, organization: Organization, user: User, answers: PulseAnswers, group, zone
) -> Pulse:
    """Answer this month's pulse on the page (whether or not the e-mail went out).

    `group` is the member's active group (outcomes.selectors.active_group); a member
    in no active group is not asked.
    """
    if group is None:
        raise Refused(gettext("The monthly pulse is for members of an active group."))
    month = month_of(timezone.now(), zone)
    pulse = pulse_create(organization=organization, user=user, group=group, month=month)
    if pulse is None:
        pulse = Pulse.objects.get(organization=organization, user=user, month=month)
    return pulse_answer(pulse=pulse, answers=answers, acting_user=user)


# --- the one-click link ----------------------------------------------------------------


def pulse_token_issue(*, pulse: Pulse, days: int = PULSE_LINK_DAYS) -> str:
    return link_issue(PulseToken, days=days, pulse=pulse)


def pulse_token_resolve(token: str) -> PulseToken:
    """The link (GET shows the pulse); Gone (410) with the reason when it is not usable."""
    link = link_resolve(
        PulseToken.objects.select_related("pulse__organization", "pulse__user"), token, PULSE_LINK
    )
    _require_owner_active(link.pulse)
    if link.pulse.answered_at is not None:
        raise Conflict(
            gettext("Your pulse for %(month)s is answered already. Thank you!")
            % {"month": date_format(link.pulse.month, "YEAR_MONTH_FORMAT")}
        )
    return link


@transaction.atomic
def pulse_answer_by_token(*, token: str, answers: PulseAnswers) -> Pulse:
    """Answer through the e-mailed link: the token is the credential, good once."""
    answers_check(answers)  # a bad answer must not use the link up
    link = link_use(PulseToken.objects.select_related("pulse__user"), token, PULSE_LINK)
    _require_owner_active(link.pulse)  # refused: the transaction gives the link back
    return pulse_answer(pulse=link.pulse, answers=answers, acting_user=link.pulse.user)


def _require_owner_active(pulse: Pulse) -> None:
    """A deactivated member's links stop working (`organizations.recipients`)."""
    if not person_active(organization_id=pulse.organization_id, user_id=pulse.user_id):
        raise PULSE_LINK.ended()


# --- sending ---------------------------------------------------------------------------


def pulse_reminder_claim(*, pulse: Pulse, now: datetime) -> bool:
    """Claim the one reminder of this pulse; False if another worker has (or it is answered).

    Call inside the transaction that sends the e-mail, so a failed send rolls it back.
    """
    return (
        Pulse.objects.filter(
            pk=pulse.pk, reminded_at__isnull=True, answered_at__isnull=True
        ).update(reminded_at=now)
        == 1
    )


def pulse_sent_mark(*, pulse: Pulse, now: datetime) -> None:
    Pulse.objects.filter(pk=pulse.pk).update(sent_at=now)


REMINDER_AFTER = timedelta(days=7)
