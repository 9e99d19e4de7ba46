"""The JSON API (Django Ninja); OpenAPI schema at /api/openapi.json.

Handlers parse and call the same access helpers and selectors as the pages, so an
endpoint can show no more than the page it mirrors. Every error is JSON with a
`detail` that says why.
"""

from typing import Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Field, NinjaAPI, Path, Query, Router, Schema
from ninja.pagination import paginate

from peergroups.api.auth import API_AUTH
from peergroups.api.schemas import (
    MEMBER_OUT_FIELDS,
    ErrorOut,
    MemberFilters,
    MemberOut,
    MeOut,
    OrganizationOut,
)
from peergroups.api.selectors import organizations_with_roles
from peergroups.dashboards.personal_data import personal_data_archive
from peergroups.dashboards.persons import person_deactivate, person_erase
from peergroups.errors import Invalid
from peergroups.formation.api import router as formation_router
from peergroups.goals.api import router as goals_router
from peergroups.groups.api import router as groups_router
from peergroups.http import ID_MAX, Pagination, error_responses, install_api_errors
from peergroups.meetings.api import router as meetings_router
from peergroups.network.api import router as network_router
from peergroups.organizations.access import organization_access
from peergroups.organizations.api import router as organizations_admin_router
from peergroups.organizations.models import (
    ORGANIZATION_NAME_MAX,
    Role,
)
from peergroups.organizations.services import organization_settings_update
from peergroups.outcomes.api import router as outcomes_router
from peergroups.people.api import router as people_router
from peergroups.people.selectors import member_search
from peergroups.resources.api import router as resources_router
from peergroups.scim.api import router as scim_router
from peergroups.sso.api import router as sso_router

api = NinjaAPI(
    title="Peergroups API",
    version="1",
    description=(
        "Your organizations' work, and their admins' weekly work (programs, invitations, "
        "imports, members, groups, facilitators, formation runs, the audit log). Create a "
        "personal token under *API tokens* and send it as `Authorization: Bearer <token>`; "
        "it acts with your roles. Every list takes `limit` (1 to 200) and `offset` and "
        "answers `{count, items}`; every error is JSON with a `detail` that says why."
    ),
    urls_namespace="api",
    auth=API_AUTH,
)

ERRORS = error_responses(403, 404)


install_api_errors(api)


account = Router(tags=["account"])
organizations = Router(tags=["organizations"])


@account.get("/me", response={200: MeOut, 401: ErrorOut}, url_name="api-me")
def me(request: HttpRequest):
    """The caller, with the organizations they hold a role in."""
    user = request.auth
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "organizations": _organizations_out(user),
    }


@organizations.get(
    "/organizations",
    response={200: list[OrganizationOut], 401: ErrorOut},
    url_name="api-organizations",
)
def organization_list(request: HttpRequest):
    """The organizations the caller holds a role in, with those roles."""
    return _organizations_out(request.auth)


@organizations.get(
    "/organizations/{org_slug}/members",
    response={200: list[MemberOut], **ERRORS},
    url_name="api-members",
)
@paginate(Pagination)
def member_list(request: HttpRequest, org_slug: str, filters: Query[MemberFilters]):
    """Members' intake profiles, as on the Members page. Program admins only.

    Paginated with `limit` (at most 200) and `offset`; the answer carries `count`.
    """
    access = organization_access(request.auth, org_slug)
    access.require(Role.ADMIN)
    return member_search(
        access=access,
        query=filters.q.strip(),
        region=filters.region,
        industry=filters.industry,
        program_id=filters.program,
        intake=filters.intake,
    ).only(*MEMBER_OUT_FIELDS)


def _organizations_out(user) -> list[dict]:
    return [
        {"slug": organization.slug, "name": organization.name, "roles": roles}
        for organization, roles in organizations_with_roles(user=user)
    ]


@organizations.get(
    "/organizations/{org_slug}/me/data",
    response={200: None, **error_responses(404)},
    url_name="api-my-data",
)
def my_data(request: HttpRequest, org_slug: str):
    """Everything Peergroups holds about the caller in this organization: a zip of
    `data.json` and the files they shared."""
    access = organization_access(request.auth, org_slug)
    content = personal_data_archive(user=request.auth, access=access)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f"attachment; filename=my-data-{org_slug}.zip"
    return response


class EraseIn(Schema):
    group_content: Literal["delete", "keep"]


class ErasedOut(Schema):
    user_id: int
    group_content: str


@organizations.post(
    "/organizations/{org_slug}/people/{user_id}/erase",
    response={200: ErasedOut, **error_responses(403, 404, 409)},
    url_name="api-person-erase",
)
def person_erase_route(request: HttpRequest, org_slug: str, user_id: int, payload: EraseIn):
    """Erase a person on request (program admins): their identity leaves every row;
    their group texts are deleted or kept without their name (`group_content`)."""
    access = organization_access(request.auth, org_slug)
    person_erase(
        access=access,
        acting_user=request.auth,
        user_id=user_id,
        group_content=payload.group_content,
    )
    return {"user_id": user_id, "group_content": payload.group_content}


class DeactivatedOut(Schema):
    user_id: int
    roles: list[str] = Field(description="The roles they held, all ended.")


@organizations.post(
    "/organizations/{org_slug}/people/{int:user_id}/deactivate",
    response={200: DeactivatedOut, **error_responses(403, 404, 409)},
    url_name="api-person-deactivate",
)
def person_deactivate_route(
    request: HttpRequest, org_slug: str, user_id: int = Path(..., ge=1, le=ID_MAX)
):
    """Deactivate a person (admins), as their page does: every role here ends, their
    seats in open groups free up, groups they led lose their facilitator. Yourself or
    the last admin: 409."""
    access = organization_access(request.auth, org_slug)
    roles = person_deactivate(access=access, acting_user=request.auth, user_id=user_id)
    return {"user_id": user_id, "roles": roles}


class OrganizationSettingsOut(Schema):
    name: str
    time_zone: str
    email_sender_name: str
    email_reply_to: str
    facilitator_qualifications: list[str] | None = Field(
        description="Null: the field's three qualifications."
    )
    content_retention_months: int | None = Field(
        description="Months after which group texts (issue titles and texts, meeting "
        "notes, check-in rounds, commitment check-in and pulse notes) are deleted, the "
        "counts kept; null: kept."
    )
    default_language: str = Field(
        description="The language of pages and e-mails for everyone who has not chosen "
        "their own: a language code the site offers (en, de)."
    )


class OrganizationSettingsIn(Schema):
    """Only the fields given change (PATCH)."""

    name: str | None = Field(None, max_length=ORGANIZATION_NAME_MAX)
    time_zone: str | None = Field(None, max_length=64)
    email_sender_name: str | None = Field(None, max_length=100)
    email_reply_to: str | None = Field(None, max_length=254)
    facilitator_qualifications: list[str] | None = None
    # Its bounds (3 to 120) are the service's: one rule, checked after access.
    content_retention_months: int | None = None
    default_language: str | None = Field(None, max_length=10)


SETTINGS_FIELDS = list(OrganizationSettingsOut.model_fields)


def _settings_out(organization) -> dict:
    return {key: getattr(organization, key) for key in SETTINGS_FIELDS}


@organizations.get(
    "/organizations/{org_slug}/settings",
    response={200: OrganizationSettingsOut, **error_responses(403, 404)},
    url_name="api-organization-settings",
)
def organization_settings_read(request: HttpRequest, org_slug: str):
    """The organization's settings, as on its settings page (program admins)."""
    access = organization_access(request.auth, org_slug)
    access.require(Role.ADMIN)
    return _settings_out(access.organization)


@organizations.patch(
    "/organizations/{org_slug}/settings",
    response={200: OrganizationSettingsOut, **error_responses(403, 404, 422)},
    url_name="api-organization-settings",
)
def organization_settings_edit(
    request: HttpRequest, org_slug: str, payload: OrganizationSettingsIn
):
    """Change the settings given (program admins), as the settings page does; audited.
    `content_retention_months`: 3 to 120, or null to keep group texts."""
    access = organization_access(request.auth, org_slug)
    access.require(Role.ADMIN)
    values = {**_settings_out(access.organization), **payload.model_dump(exclude_unset=True)}
    for key in ("name", "time_zone", "default_language"):
        if values[key] is None:
            raise Invalid(gettext("This setting cannot be empty."), field=key)
    organization = organization_settings_update(
        organization=access.organization, acting_user=request.auth, **values
    )
    return _settings_out(organization)


# Its own router, added last, so it matches only what no route above does: a
# mistyped path gets a JSON answer too, not Django's HTML 404 page.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"],
    "/{path:rest}",
    auth=None,
    include_in_schema=False,
    url_name="api-unknown",
)
def unknown(request: HttpRequest, rest: str):
    raise Http404("No such endpoint. See /api/docs for the ones there are.")


api.add_router("", account)
api.add_router("", organizations)
api.add_router("", organizations_admin_router)
api.add_router("", people_router)
api.add_router("", sso_router)
api.add_router("", formation_router)
api.add_router("", groups_router)
api.add_router("", meetings_router)
api.add_router("", goals_router)
api.add_router("", resources_router)
api.add_router("", network_router)
api.add_router("", outcomes_router)
api.add_router("", scim_router)
api.add_router("", fallback)
