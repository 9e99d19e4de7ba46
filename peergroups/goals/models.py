"""Key goals, commitments and their check-ins, accountability partners and goal reminders.

A commitment is made in a meeting (the presenter's, recorded by the facilitator) or by
a member on their own; this app keeps it and what became of it. Commitments, check-ins
and group-visible goals are group content: members and the facilitator only, never
the organization's admins. Goals builds on meetings, never the other way round.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from peergroups.groups.models import PeerGroup
from peergroups.links import OneClickLink
from peergroups.meetings.models import Issue, Meeting
from peergroups.organizations.models import Organization

# One bound for every goal figure (baseline, target, progress): what a DecimalField of
# 14 digits with 2 decimals can hold. The form, the API schema and the service use it.
GOAL_VALUE_DIGITS = 14
GOAL_VALUE_PLACES = 2
GOAL_VALUE_MAX = Decimal("999999999999.99")
GOAL_VALUE_MIN = -GOAL_VALUE_MAX
# Text bounds (`peergroups.textlimits`): a commitment, a goal's why, a progress or
# check-in note is a few pages at most; the title and measure are one line.
GOAL_TEXT_MAX = 10_000
GOAL_TITLE_MAX = 160
GOAL_MEASURE_MAX = 120


class Visibility(models.TextChoices):
    PRIVATE = "private", gettext_lazy("Only me")
    GROUP = "group", gettext_lazy("My group and its facilitator")


class GoalStatus(models.TextChoices):
    ON_TRACK = "on_track", gettext_lazy("On track")
    AT_RISK = "at_risk", gettext_lazy("At risk")
    DONE = "done", gettext_lazy("Done")
    DROPPED = "dropped", gettext_lazy("Dropped")


class KeyGoal(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="key_goals"
    )
    # The group that may see it when visibility is "group"; the owner's group at creation.
    group = models.ForeignKey(
        PeerGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="key_goals"
    )
    title = models.CharField(max_length=GOAL_TITLE_MAX)
    why = models.TextField(gettext_lazy("why it matters"), blank=True)
    measure = models.CharField(
        max_length=GOAL_MEASURE_MAX,
        help_text=gettext_lazy("What you count, e.g. “NPS” or “hires”."),
    )
    baseline = models.DecimalField(max_digits=GOAL_VALUE_DIGITS, decimal_places=GOAL_VALUE_PLACES)
    target = models.DecimalField(max_digits=GOAL_VALUE_DIGITS, decimal_places=GOAL_VALUE_PLACES)
    starts_on = models.DateField(default=timezone.localdate)
    due_on = models.DateField()
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    dropped_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["organization", "owner"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gt=models.F("starts_on")), name="goal_due_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(target=models.F("baseline")), name="goal_target_differs"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "goals-detail", kwargs={"org_slug": self.organization.slug, "goal_id": self.pk}
        )


class GoalUpdate(models.Model):
    goal = models.ForeignKey(KeyGoal, on_delete=models.CASCADE, related_name="updates")
    value = models.DecimalField(max_digits=GOAL_VALUE_DIGITS, decimal_places=GOAL_VALUE_PLACES)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.value} on goal {self.goal_id}"


class Commitment(models.Model):
    """What a member commits to, in a meeting (the presenter's commitment) or on their own.

    `meeting` is empty for a commitment a member makes outside a meeting; `group` is
    always set, because access to a commitment is access to its group's content.
    (Moved from the meetings app; its rows were kept: migrations goals 0002–0003.)
    """

    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="commitments")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="commitments"
    )
    issue = models.ForeignKey(
        Issue, on_delete=models.SET_NULL, null=True, blank=True, related_name="commitments"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_commitments"
    )
    text = models.TextField()
    due_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The submitting form's one-time key: the same form posted twice makes one commitment.
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["group", "due_on"], name="commitment_group_due_idx"),
            models.Index(fields=["member", "due_on"], name="commitment_member_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="commitment_made_once",
            )
        ]

    def __str__(self) -> str:
        return f"Commitment of {self.member_id} in group {self.group_id}"


class CheckInStatus(models.TextChoices):
    DONE = "done", gettext_lazy("Done")
    PARTLY = "partly", gettext_lazy("Partly done")
    NOT_DONE = "not_done", gettext_lazy("Not done")


# A check-in's weight in the completion rate: partly done counts half.
CHECK_IN_CREDIT = {
    CheckInStatus.DONE: Decimal(1),
    CheckInStatus.PARTLY: Decimal("0.5"),
    CheckInStatus.NOT_DONE: Decimal(0),
}


class CommitmentCheckIn(models.Model):
    """What became of a commitment; the latest check-in is its outcome."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="check_ins")
    status = models.CharField(max_length=10, choices=CheckInStatus.choices)
    note = models.TextField(blank=True)
    # Empty when recorded through a one-click e-mail link (the token is the credential).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The latest check-in of a commitment is its outcome, looked up once per
            # commitment on every rate and insight: in the index's own order, and (on
            # PostgreSQL) with its status in the index, so no table read and no sort.
            models.Index(
                fields=["commitment", "-created_at", "-id"],
                include=["status"],
                name="checkin_latest_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.status} for commitment {self.commitment_id}"


class AccountabilityPair(models.Model):
    """Two members (or three, when the group is odd) who keep each other accountable."""

    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="partner_pairs")
    cycle = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group", "-cycle", "pk"]

    def __str__(self) -> str:
        return f"Partners {self.pk} of group {self.group_id}, cycle {self.cycle}"


class AccountabilityPartner(models.Model):
    pair = models.ForeignKey(AccountabilityPair, on_delete=models.CASCADE, related_name="partners")
    # Denormalised from the pair so the database keeps "one pair per member and cycle".
    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="+")
    cycle = models.PositiveSmallIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group", "cycle", "user"], name="one_partner_pair_per_cycle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in pair {self.pair_id}"


class ReminderStage(models.TextChoices):
    DUE_SOON = "due_soon", gettext_lazy("Due soon")
    OVERDUE = "overdue", gettext_lazy("Overdue without a check-in")
    PARTNER_OVERDUE = "partner_overdue", gettext_lazy("Partner's commitment overdue")


class GoalReminderSent(models.Model):
    """The database keeps "one reminder per commitment, stage and person", with any workers."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=20, choices=ReminderStage.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "stage", "user"], name="goal_reminder_sent_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage} reminder to {self.user_id} for commitment {self.commitment_id}"


class CheckInToken(OneClickLink):
    """A one-click check-in link: single use, expiring; only its SHA-256 is stored."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"Check-in link for commitment {self.commitment_id}"
