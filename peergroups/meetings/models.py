"""A group's working life: its meeting schedule, agendas, issues, notes, attendance.

Everything here except the schedule is confidential group content: only the group's
members and facilitator read it (see selectors.group_content_for_user). Commitments
made in a meeting live in the goals app, which builds on this one.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from peergroups.groups.models import PeerGroup
from peergroups.meetings.recurrence import occurrences
from peergroups.organizations.models import Organization

HORIZON = 12  # occurrences kept ahead, so single ones can be moved or cancelled


class Frequency(models.TextChoices):
    WEEKLY = "weekly", gettext_lazy("Weekly")
    BIWEEKLY = "biweekly", gettext_lazy("Every two weeks")
    MONTHLY = "monthly", gettext_lazy("Monthly")


class Weekday(models.IntegerChoices):
    MONDAY = 0, gettext_lazy("Monday")
    TUESDAY = 1, gettext_lazy("Tuesday")
    WEDNESDAY = 2, gettext_lazy("Wednesday")
    THURSDAY = 3, gettext_lazy("Thursday")
    FRIDAY = 4, gettext_lazy("Friday")
    SATURDAY = 5, gettext_lazy("Saturday")
    SUNDAY = 6, gettext_lazy("Sunday")


class WeekOfMonth(models.IntegerChoices):
    FIRST = 1, gettext_lazy("First")
    SECOND = 2, gettext_lazy("Second")
    THIRD = 3, gettext_lazy("Third")
    FOURTH = 4, gettext_lazy("Fourth")
    LAST = -1, gettext_lazy("Last")


class MonthInterval(models.IntegerChoices):
    EVERY_MONTH = 1, gettext_lazy("Every month")
    EVERY_TWO_MONTHS = 2, gettext_lazy("Every two months")
    EVERY_THREE_MONTHS = 3, gettext_lazy("Every three months (quarterly)")
    EVERY_SIX_MONTHS = 6, gettext_lazy("Every six months")


class MeetingSeries(models.Model):
    """The group's recurrence rule, in the group's local time (one active series per group)."""

    group = models.OneToOneField(PeerGroup, on_delete=models.CASCADE, related_name="series")
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    # Only for monthly series: "second Tuesday" is week_of_month=2, weekday=1.
    week_of_month = models.SmallIntegerField(choices=WeekOfMonth.choices, null=True, blank=True)
    # Months from one meeting to the next, for monthly series: 3 is a quarterly program's.
    interval = models.PositiveSmallIntegerField(
        default=1, db_default=1, choices=MonthInterval.choices
    )
    starts_on = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    time_zone = models.CharField(max_length=64)
    location = models.CharField(max_length=200, blank=True)
    video_url = models.URLField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="series_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(frequency="monthly") | Q(week_of_month__isnull=False),
                name="series_monthly_has_week",
            ),
            # Weekly and biweekly series count weeks; only a monthly one skips months.
            models.CheckConstraint(
                condition=Q(interval=1) | Q(frequency="monthly", interval__in=[2, 3, 6]),
                name="series_interval_monthly",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.describe()}"

    def describe(self) -> str:
        day = Weekday(self.weekday).label
        times = f"{self.start_time:%H:%M}–{self.end_time:%H:%M} ({self.time_zone})"
        if self.frequency == Frequency.MONTHLY:
            every = {1: "Monthly", 3: "Quarterly"}.get(
                self.interval, f"Every {self.interval} months"
            )
            return f"{every}, {WeekOfMonth(self.week_of_month).label.lower()} {day}, {times}"
        return f"{Frequency(self.frequency).label}, {day}, {times}"

    def occurrences(self, *, after: datetime, count: int) -> list[tuple[datetime, datetime]]:
        """The series' next `count` (start, end) UTC pairs that start after `after`."""
        return occurrences(
            frequency=self.frequency,
            weekday=self.weekday,
            week_of_month=self.week_of_month,
            interval=self.interval,
            starts_on=self.starts_on,
            start_time=self.start_time,
            end_time=self.end_time,
            time_zone=self.time_zone,
            after=after,
            count=count,
        )


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", gettext_lazy("Scheduled")
    MOVED = "moved", gettext_lazy("Moved")
    CANCELLED = "cancelled", pgettext_lazy("meeting", "Cancelled")


def new_uid() -> str:
    return f"{uuid.uuid4()}@peergroups"


# `Meeting.is_open` as a query: the meetings that still take records.
MEETING_OPEN = Q(closed_at__isnull=True) & ~Q(status=MeetingStatus.CANCELLED)


class Meeting(models.Model):
    """One occurrence. Stored so it can be moved or cancelled alone; times are UTC."""

    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="meetings")
    series = models.ForeignKey(
        MeetingSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    location = models.CharField(max_length=200, blank=True)
    video_url = models.URLField(blank=True)
    # Calendar apps match events by UID and take the highest SEQUENCE as the truth.
    uid = models.CharField(max_length=100, unique=True, default=new_uid)
    sequence = models.PositiveIntegerField(default=0)
    # Run-of-show state: which agenda step and which issue the facilitator is on.
    current_step = models.PositiveSmallIntegerField(default=0)
    current_issue = models.ForeignKey(
        "Issue", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["group", "starts_at"]), models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return f"{self.group} on {self.starts_at:%Y-%m-%d %H:%M} UTC"

    def get_absolute_url(self) -> str:
        return reverse(
            "meetings-detail",
            kwargs={
                "org_slug": self.group.organization.slug,
                "group_id": self.group_id,
                "meeting_id": self.pk,
            },
        )

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def is_closed(self) -> bool:
        """Closed by its facilitator: its records (attendance, notes, commitments) are final."""
        return self.closed_at is not None

    @property
    def is_open(self) -> bool:
        """Takes records: neither closed nor cancelled. The one definition (`MEETING_OPEN`
        as a query); services refuse with `meetings.services.meeting_open_require`, pages
        ask this to offer the forms."""
        return not self.is_closed and not self.is_cancelled

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class StepKind(models.TextChoices):
    CHECK_IN = "checkin", gettext_lazy("Check-in round")
    ISSUES = "issues", gettext_lazy("Issue processing")
    COMMITMENTS = "commitments", gettext_lazy("Commitments review")
    RESOURCES = "resources", gettext_lazy("Resource share")
    CLOSE = "close", pgettext_lazy("agenda step", "Close")
    OTHER = "other", gettext_lazy("Other")


# A new group's protocol and agreement are written in its organization's default
# language (services.group_defaults_create); after that they are the group's own text.
DEFAULT_PROTOCOL = [
    (StepKind.CHECK_IN, gettext_lazy("Check-in round"), 30),
    (StepKind.ISSUES, gettext_lazy("Issue processing"), 150),
    (StepKind.COMMITMENTS, gettext_lazy("Commitments review"), 30),
    (StepKind.RESOURCES, gettext_lazy("Resource share"), 15),
    (StepKind.CLOSE, pgettext_lazy("agenda step", "Close"), 15),
]


class AgendaStep(models.Model):
    """One step of the group's agenda protocol; the facilitator adapts the default one."""

    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="agenda_steps")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    title = models.CharField(max_length=120)
    minutes = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=600), name="agenda_step_minutes"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.minutes} min)"


class CheckIn(models.Model):
    """A member's short update at the check-in round."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="check_ins")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    work = models.TextField()
    personal = models.TextField(blank=True)
    rating = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["member__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="check_in_unique"),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=10), name="check_in_rating_1_10"
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in of {self.member_id} at meeting {self.meeting_id}"


# Long-text bounds: the forms (with a live counter), the API schemas and the services
# all read these, so a text one accepts the others accept too.
ISSUE_TEXT_MAX = 10_000  # an issue's situation or ask: a few pages at most
NOTE_TEXT_MAX = 5_000
CHECK_IN_TEXT_MAX = 2_000


class IssueCategory(models.TextChoices):
    # Keys match the areas of the intake (people/vocabulary.py), so reports can join them.
    MARKETING = "marketing", gettext_lazy("Marketing")
    STRATEGIC_PLANNING = "strategic-planning", gettext_lazy("Strategic planning")
    HIRING = "hiring", gettext_lazy("Hiring")
    LEADING_CHANGE = "leading-change", gettext_lazy("Leading change")
    TEAM_BUILDING = "team-building", gettext_lazy("Team building")
    FINANCE = "finance", gettext_lazy("Finance")
    OPERATIONS = "operations", gettext_lazy("Operations")
    OTHER = "other", gettext_lazy("Other")


class Urgency(models.IntegerChoices):
    LOW = 1, gettext_lazy("Can wait")
    MEDIUM = 2, gettext_lazy("Soon")
    HIGH = 3, gettext_lazy("Urgent")


class IssueStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("In the queue")
    SCHEDULED = "scheduled", gettext_lazy("On a meeting's agenda")
    PROCESSED = "processed", gettext_lazy("Processed")


class Issue(models.Model):
    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="issues")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="issues"
    )
    title = models.CharField(max_length=160)
    category = models.CharField(max_length=30, choices=IssueCategory.choices)
    situation = models.TextField(gettext_lazy("the situation"))
    ask = models.TextField(gettext_lazy("what you want from the group"))
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices, default=Urgency.MEDIUM)
    status = models.CharField(max_length=10, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    # The meeting it is on the agenda of (scheduled) or was processed in (processed).
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="issues"
    )
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    # The submitting form's one-time key: the same form posted twice makes one issue.
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-urgency", "created_at"]
        indexes = [models.Index(fields=["group", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="issue_submitted_once",
            )
        ]

    def __str__(self) -> str:
        return self.title


class IssueVote(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issue", "voter"], name="issue_vote_once")]

    def __str__(self) -> str:
        return f"Vote of {self.voter_id} for issue {self.issue_id}"


class NoteKind(models.TextChoices):
    CLARIFYING = "clarifying", gettext_lazy("Clarifying question")
    EXPERIENCE = "experience", gettext_lazy("Experience share")
    GENERAL = "general", gettext_lazy("Note")


class MeetingNote(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notes")
    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, null=True, blank=True, related_name="notes"
    )
    kind = models.CharField(max_length=20, choices=NoteKind.choices, default=NoteKind.GENERAL)
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at meeting {self.meeting_id}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", gettext_lazy("Present")
    ABSENT = "absent", gettext_lazy("Absent")
    EXCUSED = "excused", gettext_lazy("Excused")


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.status} at meeting {self.meeting_id}"


DEFAULT_AGREEMENT = gettext_lazy(
    """What is said in this group stays in this group.

1. I keep confidential everything members share: their issues, their companies, their people.
2. I do not repeat what I hear to anyone outside the group, including my own organization's
   program staff, and I do not use it for business advantage.
3. I speak for myself and share experience, not advice I have not lived.
4. I come prepared, on time, and I keep the commitments I make here."""
)


class ConfidentialityAgreement(models.Model):
    """A version of a group's agreement; a new version must be accepted again."""

    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="agreements")
    version = models.PositiveIntegerField()
    text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["group", "version"], name="agreement_version_unique")
        ]

    def __str__(self) -> str:
        return f"Agreement v{self.version} of group {self.group_id}"


class AgreementAcceptance(models.Model):
    agreement = models.ForeignKey(
        ConfidentialityAgreement, on_delete=models.CASCADE, related_name="acceptances"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "user"], name="agreement_accepted_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} accepted agreement {self.agreement_id}"


class CalendarFeed(models.Model):
    """A member's secret feed URL in one organization; only its SHA-256 is stored."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_calendar_feed",
            )
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id} in {self.organization_id}"


class ReminderSent(models.Model):
    """The database keeps "one reminder per meeting and person", even with several workers."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="reminder_sent_once")
        ]

    def __str__(self) -> str:
        return f"Reminder to {self.user_id} for meeting {self.meeting_id}"


class CalendarInvitationChoice(models.Model):
    """A member who gets each meeting of their groups in this organization as a calendar
    invitation e-mail (iMIP: Accept / Decline in Outlook or Google), for calendars that
    block feed subscriptions. No row: the feed (and the ordinary e-mails) only."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_invitations"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="one_calendar_invitation_choice"
            )
        ]

    def __str__(self) -> str:
        return f"Calendar invitations for {self.user_id} in {self.organization_id}"


class InvitationMethod(models.TextChoices):
    REQUEST = "REQUEST", gettext_lazy("Invitation or update")
    CANCEL = "CANCEL", gettext_lazy("Cancellation")


class MeetingInvitationSent(models.Model):
    """One calendar invitation e-mail per person, meeting and change (the meeting's
    SEQUENCE): the database keeps it, with any number of workers."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sequence = models.PositiveIntegerField()
    method = models.CharField(max_length=10, choices=InvitationMethod.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user", "sequence", "method"],
                name="one_invitation_per_meeting_change",
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.sequence} of meeting {self.meeting_id} to {self.user_id}"
