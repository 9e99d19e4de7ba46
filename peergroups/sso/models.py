"""An organization's single sign-on over OpenID Connect: its identity provider's settings."""

from django.db import models
from django.utils import timezone

from peergroups.organizations.models import Organization

ISSUER_MAX = 200  # an audit value holds at most 200 characters
CLIENT_ID_MAX = 200
CLIENT_SECRET_MAX = 500
DOMAIN_MAX = 200  # within a host name's 253, and an audit value's 200
DOMAINS_MAX = 20


class SignOnSettings(models.Model):
    """One per organization, made on the first save of its sign-on settings page."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="sign_on"
    )
    enabled = models.BooleanField(default=False)
    # The provider's issuer identifier; its discovery document lives under it.
    issuer = models.CharField(max_length=ISSUER_MAX, blank=True, default="")
    client_id = models.CharField(max_length=CLIENT_ID_MAX, blank=True, default="")
    # Encrypted (`sso.sealing`); never shown back, on the page nor over the API.
    client_secret_sealed = models.TextField(blank=True, default="")
    # People of these domains with no account yet join as members on their first
    # sign-in; empty: only invited people and existing members sign in this way.
    allowed_domains = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "sign-on settings"
        verbose_name_plural = "sign-on settings"

    def __str__(self) -> str:
        return f"Sign-on of {self.organization}"

    @property
    def has_secret(self) -> bool:
        return bool(self.client_secret_sealed)
