"""The organization's sign-on settings over the API (admins); the client secret can be
written, never read (Django Ninja router, added by `peergroups.api`)."""

from django.http import HttpRequest
from ninja import Field, Router, Schema

from peergroups.http import error_responses
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import Role
from peergroups.sso.models import CLIENT_ID_MAX, CLIENT_SECRET_MAX, DOMAINS_MAX, ISSUER_MAX
from peergroups.sso.services import (
    sign_on_redirect_uri,
    sign_on_settings_of,
    sign_on_settings_update,
)

router = Router(tags=["administration"])

PATH = "/organizations/{org_slug}/sign-on"


class SignOnOut(Schema):
    enabled: bool
    issuer: str
    client_id: str
    client_secret_set: bool = Field(description="Whether a secret is stored; it is never shown.")
    allowed_domains: list[str] = Field(
        description="People of these domains without an account join as members."
    )
    redirect_uri: str = Field(description="The callback address to register at the provider.")


class SignOnIn(Schema):
    """Only the fields given change (PATCH)."""

    enabled: bool | None = None
    issuer: str | None = Field(None, max_length=ISSUER_MAX)
    client_id: str | None = Field(None, max_length=CLIENT_ID_MAX)
    client_secret: str | None = Field(
        None, max_length=CLIENT_SECRET_MAX, description="Write-only; empty or absent keeps it."
    )
    allowed_domains: list[str] | None = Field(None, max_length=DOMAINS_MAX)


def _out(sign_on) -> dict:
    return {
        "enabled": sign_on.enabled,
        "issuer": sign_on.issuer,
        "client_id": sign_on.client_id,
        "client_secret_set": sign_on.has_secret,
        "allowed_domains": list(sign_on.allowed_domains or []),
        "redirect_uri": sign_on_redirect_uri(organization=sign_on.organization),
    }


@router.get(PATH, response={200: SignOnOut, **error_responses(403, 404)}, url_name="api-sign-on")
def sign_on_read(request: HttpRequest, org_slug: str):
    """The organization's single sign-on settings (program admins)."""
    access = organization_access(request.auth, org_slug)
    access.require(Role.ADMIN)
    return _out(sign_on_settings_of(organization=access.organization))


@router.patch(
    PATH, response={200: SignOnOut, **error_responses(403, 404, 422)}, url_name="api-sign-on"
)
def sign_on_edit(request: HttpRequest, org_slug: str, payload: SignOnIn):
    """Change the settings given (program admins), as the sign-on settings page does;
    audited. Turning it on needs an issuer, a client id and a secret."""
    access = organization_access(request.auth, org_slug)
    access.require(Role.ADMIN)
    current = sign_on_settings_of(organization=access.organization)
    given = payload.model_dump(exclude_unset=True)
    sign_on = sign_on_settings_update(
        organization=access.organization,
        acting_user=request.auth,
        enabled=current.enabled if given.get("enabled") is None else given["enabled"],
        issuer=current.issuer if given.get("issuer") is None else given["issuer"],
        client_id=current.client_id if given.get("client_id") is None else given["client_id"],
        client_secret=given.get("client_secret"),
        allowed_domains=(
            current.allowed_domains
            if given.get("allowed_domains") is None
            else given["allowed_domains"]
        ),
    )
    return _out(sign_on)
