"""Tenants (organizations), the roles people hold in them, programs and invitations."""

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

# Re-exported: a group's size bounds are defined once (peergroups.groupsize).
from peergroups.groupsize import MAX_GROUP_SIZE as MAX_GROUP_SIZE
from peergroups.groupsize import MIN_GROUP_SIZE as MIN_GROUP_SIZE

# Re-exported: tokens here are stored as SHA-256 digests too (peergroups.links).
from peergroups.links import hash_token as hash_token

PROGRAM_NAME_MAX = 200
# An organization's content-retention period, in months: at least a quarter, so a
# group's texts outlive the meetings they were written for; at most ten years.
RETENTION_MONTHS_MIN = 3
RETENTION_MONTHS_MAX = 120
PROGRAM_DESCRIPTION_MAX = 4000


ORGANIZATION_NAME_MAX = 200
QUALIFICATION_MAX = 200  # one facilitator qualification, as the organization words it
QUALIFICATIONS_MAX = 12
# What the field asks of a facilitator (DESIGN.md part 4): an organization that names no
# qualifications of its own asks these. Their keys are the FacilitatorProfile fields.
FIELD_QUALIFICATIONS = (
    "has built their own business",
    "is a trained feedback coach",
    "has expertise in more than one area of running a business",
)


class Organization(models.Model):
    name = models.CharField(max_length=ORGANIZATION_NAME_MAX)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The time zone new programs' groups and people start from (each member keeps their own).
    time_zone = models.CharField(max_length=64, default="UTC", db_default="UTC")
    # How the organization's e-mails are signed and where a reply goes (stored now; the
    # e-mail tasks read them when they are rebuilt on templates).
    email_sender_name = models.CharField(max_length=100, blank=True, default="", db_default="")
    email_reply_to = models.EmailField(blank=True, default="", db_default="")
    # Null: the field's three (FIELD_QUALIFICATIONS); else the organization's own list,
    # e.g. a company's internal program: "completed our facilitator training".
    facilitator_qualifications = models.JSONField(null=True, blank=True)
    # Months after which a group's texts (issues, meeting notes, check-ins, pulse notes)
    # are deleted by the scheduler, the rows and so the counts kept; empty: kept.
    content_retention_months = models.PositiveSmallIntegerField(null=True, blank=True)
    # The language of pages and e-mails for everyone here who has not chosen their own.
    default_language = models.CharField(max_length=10, default="en", db_default="en")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organizations-dashboard", kwargs={"org_slug": self.slug})

    @property
    def asks_field_qualifications(self) -> bool:
        return not self.facilitator_qualifications

    @property
    def qualification_list(self) -> list[str]:
        """What this organization asks of a facilitator, in words."""
        return list(self.facilitator_qualifications or FIELD_QUALIFICATIONS)


class FirstRunKey(models.Model):
    """The salt of the one-time key that guards the first-run page of an empty install.

    With SECRET_KEY it rebuilds the key (`token_from_salt`), so `make run`, the server
    log and the page agree without the key itself being stored; the row goes when the
    first organization is created.
    """

    salt = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"First-run key made {self.created_at:%Y-%m-%d %H:%M}"


class Role(models.TextChoices):
    ADMIN = "admin", gettext_lazy("Program admin")
    FACILITATOR = "facilitator", gettext_lazy("Facilitator")
    MEMBER = "member", gettext_lazy("Member")
    # An invited facilitator holds this until an admin approves their application.
    APPLICANT = "applicant", gettext_lazy("Facilitator applicant")


class OrganizationRole(models.Model):
    """One role one person holds in one organization; a person may hold several."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organization_roles"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "role"], name="organization_role_unique"
            )
        ]
        indexes = [models.Index(fields=["user", "organization"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organization}"


class GroupingBasis(models.TextChoices):
    REGION = "region", gettext_lazy("By region")
    INDUSTRY = "industry", gettext_lazy("By industry")
    MIXED = "mixed", gettext_lazy("Mixed (region and industry)")


class MeetingCadence(models.TextChoices):
    WEEKLY = "weekly", gettext_lazy("Weekly")
    BIWEEKLY = "biweekly", gettext_lazy("Every two weeks")
    MONTHLY = "monthly", gettext_lazy("Monthly")
    QUARTERLY = "quarterly", gettext_lazy("Quarterly")


class Program(models.Model):
    """A cohort of managers to be formed into peer groups."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="programs"
    )
    name = models.CharField(max_length=PROGRAM_NAME_MAX)
    description = models.TextField(blank=True)
    min_group_size = models.PositiveSmallIntegerField(default=6)
    max_group_size = models.PositiveSmallIntegerField(default=MAX_GROUP_SIZE)
    # Seats each group leaves free when it is formed, for late joiners: formation fills
    # groups to at most max_group_size - open_seats; the seats stay open after publish.
    open_seats = models.PositiveSmallIntegerField(
        default=0,
        db_default=0,
        help_text=gettext_lazy("Seats each new group keeps free for members who join later."),
    )
    grouping_basis = models.CharField(
        max_length=20, choices=GroupingBasis.choices, default=GroupingBasis.MIXED
    )
    # Criterion name -> {"mode": "similar"|"diverse", "weight": float}; empty means the defaults.
    criteria_weights = models.JSONField(default=dict, blank=True)
    meeting_cadence = models.CharField(
        max_length=20, choices=MeetingCadence.choices, default=MeetingCadence.MONTHLY
    )
    starts_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Goes up on every edit of the fields an admin edits; an edit made from an older one
    # is refused (`errors.version_require`), so two tabs never overwrite each other silently.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_group_size__gte=MIN_GROUP_SIZE)
                & Q(min_group_size__lte=models.F("max_group_size"))
                & Q(max_group_size__lte=MAX_GROUP_SIZE),
                name="program_group_size_bounds",
            ),
            models.CheckConstraint(
                condition=Q(
                    open_seats__lte=models.F("max_group_size") - models.F("min_group_size")
                ),
                name="program_open_seats_fit",
                violation_error_message="Open seats leave groups smaller than the smallest group.",
            ),
            models.UniqueConstraint(fields=["organization", "name"], name="program_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "organizations-program",
            kwargs={"org_slug": self.organization.slug, "program_id": self.pk},
        )


def token_from_salt(purpose: str, salt: str) -> str:
    """A link token derived from a stored random salt and the server's SECRET_KEY.

    The database holds the salt and the token's SHA-256, neither of which opens the
    link; a task that knows only the row's id can still rebuild the link to e-mail it.
    """
    key = f"peergroups.{purpose}:{settings.SECRET_KEY}".encode()
    return hmac.new(key, salt.encode(), hashlib.sha256).hexdigest()


class Invitation(models.Model):
    """A single-use, expiring link that gives a role in an organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    program = models.ForeignKey(Program, on_delete=models.SET_NULL, null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    # With SECRET_KEY it rebuilds the link (`token_from_salt`); alone it opens nothing.
    token_salt = models.CharField(max_length=32, blank=True, db_default="")
    # What the organization's own records say until the person accepts: the name it
    # uses for them and the intake values from an import. Never copied onto an account.
    full_name = models.CharField(max_length=150, blank=True, db_default="")
    intake = models.JSONField(default=dict, db_default={}, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When the e-mail task gave up (after its retries) and why; cleared by the next send.
    send_failed_at = models.DateTimeField(null=True, blank=True)
    send_error = models.CharField(max_length=300, blank=True, default="", db_default="")
    # Set once, when the one reminder for a stalled invitation went out.
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "email"])]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organization}"

    @property
    def is_open(self) -> bool:
        return not self.is_used and not self.is_expired

    @property
    def is_used(self) -> bool:
        return self.accepted_at is not None

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at
