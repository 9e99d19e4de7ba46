"""Admin API for the organization's SCIM provisioning tokens (Django Ninja router, added
by `peergroups.api`): the same services as the settings page, the same refusals."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from peergroups.http import error_responses
from peergroups.organizations.access import organization_access
from peergroups.scim import services
from peergroups.scim.selectors import scim_tokens_for_admin

router = Router(tags=["administration"])

TOKENS = "/organizations/{org_slug}/scim-tokens"
READ = error_responses(403, 404)
WRITE = error_responses(403, 404, 422)


class ScimTokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart.")
    created_by: str = Field(description="The e-mail of the admin it acts as.")
    created_at: datetime
    last_used_at: datetime | None = Field(description="To the minute.")
    revoked_at: datetime | None

    @staticmethod
    def resolve_created_by(token) -> str:
        return token.created_by.email


class ScimTokenCreatedOut(ScimTokenOut):
    token: str = Field(
        description="The bearer token for your identity provider: shown this once, never again."
    )


class ScimTokenIn(Schema):
    name: str = Field(..., max_length=100, description="Which identity provider uses it.")


@router.get(TOKENS, response={200: list[ScimTokenOut], **READ}, url_name="api-scim-tokens")
def scim_token_list(request: HttpRequest, org_slug: str):
    """The organization's SCIM tokens, newest first, revoked ones included (admins)."""
    access = organization_access(request.auth, org_slug)
    return list(scim_tokens_for_admin(access=access))


@router.post(TOKENS, response={201: ScimTokenCreatedOut, **WRITE}, url_name="api-scim-tokens")
def scim_token_create(request: HttpRequest, org_slug: str, payload: ScimTokenIn):
    """Create a SCIM token (admins); the answer holds the token, which is not kept."""
    access = organization_access(request.auth, org_slug)
    token, raw_key = services.scim_token_create(
        access=access, acting_user=request.auth, name=payload.name
    )
    token.token = raw_key
    return Status(201, token)


@router.post(
    TOKENS + "/{int:token_id}/revoke",
    response={200: ScimTokenOut, **READ},
    url_name="api-scim-token-revoke",
)
def scim_token_revoke(request: HttpRequest, org_slug: str, token_id: int):
    """Revoke a SCIM token at once (admins); revoking it again changes nothing."""
    access = organization_access(request.auth, org_slug)
    return services.scim_token_revoke(access=access, acting_user=request.auth, token_id=token_id)
