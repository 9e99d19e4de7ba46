"""Who changed who sees what: one row per change to roles, memberships, invitations, ...

The app sits low in the layers: its foreign keys name other apps' models by string, so
it imports none of them and every service above can write to it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class AuditEntry(models.Model):
    """One change. `before`/`after` hold ids, roles, states and counts, never confidential text."""

    # Null for changes that belong to a person rather than an organization (API tokens).
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=gettext_lazy("Empty for the system (a command, a task)."),
    )
    # An action whose doer the admins may not know (an anonymous question, a group's own
    # resource): no actor is stored at all, so neither a filter nor an export finds them.
    actor_withheld = models.BooleanField(default=False, db_default=False)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = gettext_lazy("audit entries")
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="audit_org_time"),
            models.Index(fields=["organization", "action"], name="audit_org_action"),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id or 'system'} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def actor_label(self) -> str:
        """Who did it, as the log shows it: an e-mail, "system", or "withheld"."""
        if self.actor_withheld:
            return "withheld"
        return self.actor.email if self.actor else "system"

    @property
    def shown_time(self) -> str:
        """When, as the log shows it: the day only where the doer is withheld, so the
        minute cannot tie the row to what that person did next on a page admins see."""
        moment = self.created_at
        return moment.date().isoformat() if self.actor_withheld else moment.isoformat()
