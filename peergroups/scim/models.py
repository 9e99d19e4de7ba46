"""SCIM 2.0 provisioning: an organization's bearer tokens, and its identity provider's
record of each person and program it manages."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from peergroups.organizations.models import Organization, Program

SCIM_TEXT_MAX = 255  # userName, externalId and the name parts an identity provider sends


class ScimToken(models.Model):
    """One revocable bearer token with which an organization's identity provider (Entra ID,
    Okta) provisions its people; it acts as the admin who created it, while they are one.

    Only the SHA-256 digest is stored; the raw token is shown once, when it is created.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="scim_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_tokens_created"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "SCIM token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ScimUser(models.Model):
    """What the organization's identity provider says about one person: its own record,
    beside the account. The account's sign-in address is never changed from here (an
    admin who could change it could reset the password and read a group's texts)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="scim_users"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_records"
    )
    # The SCIM id: random, so ids say nothing about how many people other tenants have.
    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user_name = models.CharField(max_length=SCIM_TEXT_MAX)
    external_id = models.CharField(max_length=SCIM_TEXT_MAX, blank=True, default="")
    # The account was made by this provisioning (the address had none): it takes the
    # member role at once. An account that existed is invited and joins by accepting.
    owns_account = models.BooleanField(default=False)
    # name, displayName and emails as the provider sent them (only the attributes our
    # published schema declares), so a GET answers what the provider wrote.
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pk"]
        verbose_name = "SCIM user"
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="scim_user_person"),
            models.UniqueConstraint(
                "organization", Lower("user_name"), name="scim_user_name_unique"
            ),
        ]
        indexes = [models.Index(fields=["organization", "external_id"], name="scim_user_ext_idx")]

    def __str__(self) -> str:
        return self.user_name


class ScimGroup(models.Model):
    """A program the organization's identity provider manages as a SCIM Group: its members
    are the people the provider enrolled in the program."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="scim_groups"
    )
    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="scim_group")
    external_id = models.CharField(max_length=SCIM_TEXT_MAX, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pk"]
        verbose_name = "SCIM group"

    def __str__(self) -> str:
        return f"SCIM group for {self.program_id}"
