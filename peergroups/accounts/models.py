"""People sign in with their e-mail address; one account serves every organization."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)  # None gives an unusable password (invited, not yet joined)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(gettext_lazy("e-mail address"), unique=True)
    full_name = models.CharField(max_length=150)
    is_staff = models.BooleanField(
        default=False, help_text=gettext_lazy("Can sign in to the Django admin.")
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # A code of settings.LANGUAGES; empty: the organization's default language
    # (accounts.middleware for pages, ops.mail.email_language for e-mails).
    language = models.CharField(max_length=10, blank=True, default="", db_default="")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split()[0]

    def save(self, *args, **kwargs):
        # A password set anew on an existing account (every path ends in save: the reset
        # page, a change, the Django admin) ends the credentials the old one let the person
        # make; `credentials_revoked` says what, for the page.
        password_set = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_set:
            self.credentials_revoked = credentials_reset_send(user=self)


def credentials_reset_send(*, user: "User") -> list[str]:
    """Tell the apps holding the person's credentials to revoke them; their sentences."""
    from peergroups.accounts.signals import credentials_reset

    responses = credentials_reset.send(sender=User, user=user)
    return [sentence for _, sentence in responses if sentence]


class ThrottleCounter(models.Model):
    """Attempts in one fixed time window, per scope and key (see `accounts.throttle`).

    In the database, not in process memory, so every app process and worker counts
    together. `key` is a SHA-256 digest: the table keeps no addresses nor e-mails.
    """

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "window_start"], name="throttle_counter_unique"
            )
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]}… {self.count} since {self.window_start:%H:%M}"


class NotificationKind(models.TextChoices):
    FACILITATOR_REVIEW = (
        "facilitator_review",
        gettext_lazy("My facilitator application is reviewed"),
    )
    GROUP_ASSIGNMENT = "group_assignment", gettext_lazy("I am placed in or moved to a group")
    MEETING_CHANGE = "meeting_change", gettext_lazy("A meeting of my group is moved or cancelled")
    COMMITMENT_REMINDER = "commitment_reminder", gettext_lazy("My commitments come due")


# Set once for every organization (the account's e-mail page), on or off.
ACCOUNT_KINDS = (
    NotificationKind.FACILITATOR_REVIEW,
    NotificationKind.GROUP_ASSIGNMENT,
    NotificationKind.MEETING_CHANGE,
)
# Set per organization (its own page), and may come as a Monday digest.
DIGEST_KINDS = (NotificationKind.COMMITMENT_REMINDER,)


class NotificationChoice(models.TextChoices):
    EACH = "each", gettext_lazy("An e-mail for each, as it happens")
    WEEKLY_DIGEST = "weekly_digest", gettext_lazy("One digest e-mail on Mondays")
    OFF = "off", gettext_lazy("No e-mail")


class NotificationPreference(models.Model):
    """A person's choice for one kind of e-mail: the one preference model.

    No row means the e-mail comes, one for each (`NotificationChoice.EACH`). A row with no
    organization holds the choice for every organization (the account's e-mail page); a
    row with one holds it for that organization and wins there (commitment reminders,
    set on each organization's reminders page). `organizations.recipients` reads it for
    every e-mail.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_offs")
    # Named by string: accounts sits below organizations and imports nothing of it.
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    choice = models.CharField(
        max_length=20,
        choices=NotificationChoice.choices,
        default=NotificationChoice.OFF,
        db_default=NotificationChoice.OFF,
    )
    created_at = models.DateTimeField(
        default=timezone.now, help_text=gettext_lazy("When the choice was made.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=models.Q(organization__isnull=True),
                name="notification_off_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "organization", "kind"],
                condition=models.Q(organization__isnull=False),
                name="notification_choice_per_organization",
            ),
        ]

    def __str__(self) -> str:
        where = f" in {self.organization_id}" if self.organization_id else ""
        return f"{self.user_id}: {self.kind} {self.choice}{where}"
