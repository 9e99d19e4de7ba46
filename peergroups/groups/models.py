"""Peer groups and who belongs to them; capacity is an invariant the database keeps."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from peergroups.organizations.models import MAX_GROUP_SIZE, Organization, Program


class PeerGroup(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="groups")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=120)
    # Groups are re-formed in cycles so members meet new peers; cycle 1 is the first.
    cycle = models.PositiveSmallIntegerField(default=1)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_groups",
    )
    capacity = models.PositiveSmallIntegerField(default=MAX_GROUP_SIZE)
    # Written only by `groups.seats` (one conditional claim, one release); the check
    # constraint makes the database refuse any write that would overfill a group.
    member_count = models.PositiveSmallIntegerField(default=0)
    time_zone = models.CharField(max_length=64, default="UTC")
    created_at = models.DateTimeField(default=timezone.now)
    # A closed group keeps its roster and history; it no longer takes members nor shows
    # on the operations board (see groups.services.group_close).
    closed_at = models.DateTimeField(null=True, blank=True)
    # Goes up on every edit of the fields an admin edits; an edit made from an older one
    # is refused (`errors.version_require`), so two tabs never overwrite each other silently.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=MAX_GROUP_SIZE),
                name="group_capacity_bounds",
            ),
            models.CheckConstraint(
                condition=Q(member_count__lte=F("capacity")), name="group_not_over_capacity"
            ),
            models.UniqueConstraint(fields=["program", "cycle", "name"], name="group_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "groups-detail", kwargs={"org_slug": self.organization.slug, "group_id": self.pk}
        )

    @property
    def open_seats(self) -> int:
        return max(self.capacity - self.member_count, 0)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def reply_to_for(self, user) -> str:
        """Reply-To of an e-mail about this group: its facilitator, for everyone but the
        facilitator (empty: the organization's own Reply-To applies)."""
        facilitator = self.facilitator
        if facilitator is None or facilitator.pk == getattr(user, "pk", None):
            return ""
        return facilitator.email


class GroupMembership(models.Model):
    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="memberships")
    # Denormalised from the group so the database can keep "one group per program and cycle".
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    cycle = models.PositiveSmallIntegerField(default=1)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)  # joined this group
    # When they joined the program's cycle, kept when an admin moves them (which resets
    # `joined_at`); empty until a move. The program's populations (retention) count from
    # it, so a move never takes a person out of them: `program_joined`.
    program_joined_at = models.DateTimeField(null=True, blank=True)
    # When the group's welcome e-mail was claimed for this member (formation: after the
    # admin confirms the names, or the delay after publish): at most once each.
    welcomed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "cycle", "user"], name="one_group_per_program_cycle"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group}"

    @property
    def program_joined(self):
        return self.program_joined_at or self.joined_at


class MembershipChangeKind(models.TextChoices):
    MOVED = "moved", gettext_lazy("Moved to another group")
    REMOVED = "removed", gettext_lazy("Removed from the group")


MEMBERSHIP_REASON_MAX = 500  # the form, the service and the database agree


class MembershipChange(models.Model):
    """An admin's move or removal of a member after publish, with the reason.

    The reason is the admin's words about a person: it is shown to the organization's
    admins only (the member detail page), never to the group, and never in the audit
    log (which keeps ids and states).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership_changes"
    )
    kind = models.CharField(max_length=10, choices=MembershipChangeKind.choices)
    from_group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="+")
    to_group = models.ForeignKey(
        PeerGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(max_length=MEMBERSHIP_REASON_MAX, blank=True)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} from group {self.from_group_id}"
