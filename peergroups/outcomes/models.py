"""Outcomes: a member's baseline and monthly pulse, and the one-click pulse links.

A member's answers are theirs: they see their own trend; their group's facilitator and
the organization's admins see only aggregates over 5 or more people
(peergroups.aggregates). The private note is never shown to anyone but its author.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from peergroups.groups.models import PeerGroup
from peergroups.links import OneClickLink
from peergroups.organizations.models import Organization


@dataclass(frozen=True)
class Bound:
    """An answer's range: the form, the API schema, the service and the database use it."""

    low: int | Decimal
    high: int | Decimal
    label: str

    def q(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.low, f"{field}__lte": self.high})


HOURS = Bound(0, 100, gettext_lazy("Hours worked per week"))
SCALE = Bound(1, 7, gettext_lazy("On a scale of 1 to 7"))
MARGIN_PERCENT = Bound(Decimal(-100), Decimal(100), gettext_lazy("Profit margin, %"))
NOTE_MAX_LENGTH = 1000


class MarginTrend(models.IntegerChoices):
    DOWN = -1, gettext_lazy("Down")
    FLAT = 0, gettext_lazy("Flat")
    UP = 1, gettext_lazy("Up")


class Answers(models.Model):
    """The questions a baseline and every pulse ask."""

    hours_per_week = models.PositiveSmallIntegerField(null=True)
    productivity = models.PositiveSmallIntegerField(null=True)
    margin_trend = models.SmallIntegerField(choices=MarginTrend.choices, null=True)
    margin_percent = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    goal_confidence = models.PositiveSmallIntegerField(null=True)

    class Meta:
        abstract = True

    @classmethod
    def answer_constraints(cls, prefix: str) -> list[models.CheckConstraint]:
        def bounded(field: str, bound: Bound) -> models.CheckConstraint:
            return models.CheckConstraint(
                condition=Q(**{f"{field}__isnull": True}) | bound.q(field),
                name=f"{prefix}_{field}_bounds",
            )

        return [
            bounded("hours_per_week", HOURS),
            bounded("productivity", SCALE),
            bounded("goal_confidence", SCALE),
            bounded("margin_percent", MARGIN_PERCENT),
            models.CheckConstraint(
                condition=Q(margin_trend__isnull=True) | Q(margin_trend__in=[-1, 0, 1]),
                name=f"{prefix}_margin_trend_values",
            ),
        ]


class Baseline(Answers):
    """Where a member stood before (or at the first pulse): one per organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="one_baseline"),
            *Answers.answer_constraints("baseline"),
        ]

    def __str__(self) -> str:
        return f"Baseline of {self.user_id}"


class Pulse(Answers):
    """One member's pulse of one month: sent, perhaps reminded once, perhaps answered.

    `month` is the first day of the month in the member's time zone. `group` is the
    group the member was in when it was sent: aggregates count it there.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(
        PeerGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    month = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    meeting_value = models.PositiveSmallIntegerField(null=True, blank=True)
    # Private: the member's own words, shown to them only, never aggregated.
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)

    class Meta:
        ordering = ["month"]
        indexes = [
            models.Index(fields=["organization", "month"]),
            models.Index(fields=["group", "month"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "month"], name="one_pulse_per_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="pulse_month_is_first_day"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True)
                | Q(
                    hours_per_week__isnull=False,
                    productivity__isnull=False,
                    margin_trend__isnull=False,
                    goal_confidence__isnull=False,
                ),
                name="pulse_answered_completely",
            ),
            models.CheckConstraint(
                condition=Q(meeting_value__isnull=True) | SCALE.q("meeting_value"),
                name="pulse_meeting_value_bounds",
            ),
            *Answers.answer_constraints("pulse"),
        ]

    def __str__(self) -> str:
        return f"Pulse of {self.user_id} for {self.month:%Y-%m}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class PulseToken(OneClickLink):
    """A one-click pulse link: single use, 14 days; only its SHA-256 is stored."""

    pulse = models.ForeignKey(Pulse, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"Pulse link for pulse {self.pulse_id}"


class OutcomeSnapshot(models.Model):
    """The admins' program outcomes of one period (the closed months before `month`),
    every node's figure as worked out the first time they were read in `month`.

    The figures count only records made before the period ended, so nothing recorded
    since can change them; keeping them makes the page read one row instead of the
    period's records, and keeps a figure from moving when a membership ends (which
    deletes what retention counted) or a person is erased. Figures only: no people.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the open month, in the organization's time zone
    figures = models.JSONField()
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month"], name="one_outcome_snapshot_per_month"
            ),
        ]

    def __str__(self) -> str:
        return f"Outcomes of {self.organization_id} in {self.month:%Y-%m}"
