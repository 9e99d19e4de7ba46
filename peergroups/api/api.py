"""The JSON API (Django Ninja); OpenAPI schema at /api/openapi.json.

Handlers parse and call the same access helpers and selectors as the pages, so an
endpoint can show no more than the page it mirrors. Every error is JSON with a
`detail` that says why.
"""

from django.http import Http404, HttpRequest
from ninja import Field, NinjaAPI, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from peergroups.api.auth import API_AUTH
from peergroups.api.schemas import (
    ErrorOut,
    MemberFilters,
    MemberOut,
    MeOut,
    OrganizationOut,
    ProgramOut,
)
from peergroups.api.selectors import organizations_with_roles
from peergroups.formation.api import router as formation_router
from peergroups.goals.api import router as goals_router
from peergroups.groups.api import router as groups_router
from peergroups.http import error_responses, install_api_errors
from peergroups.meetings.api import router as meetings_router
from peergroups.network.api import router as network_router
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import Role
from peergroups.organizations.selectors import programs_with_counts
from peergroups.outcomes.api import router as outcomes_router
from peergroups.people.selectors import member_search
from peergroups.resources.api import router as resources_router

api = NinjaAPI(
    title="Peergroups API",
    version="1",
    description=(
        "Read access to your organizations. Create a personal token under "
        "*API tokens* and send it as `Authorization: Bearer <token>`."
    ),
    urls_namespace="api",
    auth=API_AUTH,
)

ERRORS = error_responses(403, 404)
MEMBERS_MAX_LIMIT = 200


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
    "/organizations/{slug}/programs",
    response={200: list[ProgramOut], **ERRORS},
    url_name="api-programs",
)
def program_list(request: HttpRequest, slug: str):
    """The organization's programs with enrolment counts. Program admins only."""
    access = organization_access(request.auth, slug)
    access.require(Role.ADMIN)
    return programs_with_counts(access=access)


class MemberPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=MEMBERS_MAX_LIMIT)
        offset: int = Field(0, ge=0)


@organizations.get(
    "/organizations/{slug}/members",
    response={200: list[MemberOut], **ERRORS},
    url_name="api-members",
)
@paginate(MemberPagination, max_limit=MEMBERS_MAX_LIMIT)
def member_list(request: HttpRequest, slug: str, filters: Query[MemberFilters]):
    """Members' intake profiles, as on the Members page. Program admins only.

    Paginated with `limit` (at most 200) and `offset`; the answer carries `count`.
    """
    access = organization_access(request.auth, slug)
    access.require(Role.ADMIN)
    return member_search(
        access=access,
        query=filters.q.strip(),
        region=filters.region,
        industry=filters.industry,
        program_id=filters.program,
        intake=filters.intake,
    )


def _organizations_out(user) -> list[dict]:
    return [
        {"slug": organization.slug, "name": organization.name, "roles": roles}
        for organization, roles in organizations_with_roles(user=user)
    ]


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
api.add_router("", formation_router)
api.add_router("", groups_router)
api.add_router("", meetings_router)
api.add_router("", goals_router)
api.add_router("", resources_router)
api.add_router("", network_router)
api.add_router("", outcomes_router)
api.add_router("", fallback)
