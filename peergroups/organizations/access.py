"""The one place that decides who may see an organization's pages.

Every organization-scoped view resolves its organization through `organization_access`:
someone with no role in the organization gets a 404 (we do not even confirm it
exists), someone with the wrong role gets a 403.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext

from peergroups.accounts.middleware import SESSION_ORGANIZATION_LANGUAGE
from peergroups.errors import NotFound, Refused
from peergroups.organizations.models import Organization, OrganizationRole, Role
from peergroups.organizations.viewer import roles_held


@dataclass(frozen=True)
class OrgAccess:
    organization: Organization
    roles: frozenset[str]
    # Every organization the viewer has a role in, by name: the layout's switcher.
    organizations: tuple[Organization, ...] = ()

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_facilitator(self) -> bool:
        return Role.FACILITATOR in self.roles

    @property
    def is_member(self) -> bool:
        return Role.MEMBER in self.roles

    def require(self, *roles: str) -> None:
        if not self.roles.intersection(roles):
            raise Refused(gettext("Your role in this organization does not allow this."))


def organization_access(user, org_slug: str) -> OrgAccess:
    """Return the user's access to the organization, or raise NotFound if they have none."""
    if not user.is_authenticated:
        raise NotFound(gettext("No such organization."))
    # The roles here, the organization and the switcher's list come from one read: a
    # person holds roles in a handful of organizations at most. For the signed-in viewer
    # it came with the user, this request (`viewer.ViewerBackend`).
    by_slug: dict[str, Organization] = {}
    roles = set()
    for organization, role in roles_held(user):
        by_slug.setdefault(organization.slug, organization)
        if organization.slug == org_slug:
            roles.add(role)
    if not roles:
        raise NotFound(gettext("No such organization."))
    return OrgAccess(
        organization=by_slug[org_slug],
        roles=frozenset(roles),
        organizations=tuple(sorted(by_slug.values(), key=lambda o: (o.name, o.pk))),
    )


def admin_require(*, organization: Organization, user, reason: str) -> None:
    """Refuse anyone but an admin of `organization` (None is the system: a command, a seed).

    For services that take the organization rather than an `OrgAccess`, so the rule
    holds for the page, the API and any other caller alike.
    """
    if user is None:
        return
    if not OrganizationRole.objects.filter(
        user=user, organization=organization, role=Role.ADMIN
    ).exists():
        raise Refused(reason)


def org_view(*roles: str) -> Callable:
    """Decorate a view taking `org_slug`; it receives `access` instead, checked for `roles`."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, org_slug: str, *args, **kwargs) -> HttpResponse:
            access = organization_access(request.user, org_slug)
            request.org_access = access  # the error page shows the organization's navigation
            if roles:
                access.require(*roles)
            if request.session.get("last_org") != org_slug:  # no session write per page
                request.session["last_org"] = org_slug
            if not request.user.language:
                organization_language_activate(request, access.organization)
            return view(request, access, *args, **kwargs)

        return wrapper

    return decorator


def organization_language_activate(request: HttpRequest, organization: Organization) -> None:
    """A person who chose no language reads the organization's default: on its pages,
    and (kept in the session) on the account's pages outside any organization.
    `accounts.middleware.LanguageMiddleware` restores the language after the response."""
    language = organization.default_language
    translation.activate(language)
    request.LANGUAGE_CODE = language
    if request.session.get(SESSION_ORGANIZATION_LANGUAGE) != language:
        request.session[SESSION_ORGANIZATION_LANGUAGE] = language


def org_render(
    request: HttpRequest, access: OrgAccess, template: str, context: dict | None = None, **kwargs
) -> HttpResponse:
    """Render an organization page; the layout needs the organization and the viewer's roles."""
    from django.shortcuts import render

    full = {"organization": access.organization, "access": access, **(context or {})}
    return render(request, template, full, **kwargs)
