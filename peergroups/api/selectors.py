"""Reads for the API and the token pages that depend on who is asking."""

from django.db.models import QuerySet
from django.utils.translation import gettext

from peergroups.accounts.models import User
from peergroups.api.models import ApiToken
from peergroups.errors import NotFound
from peergroups.organizations.models import Organization, OrganizationRole


def tokens_of_user(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_for_user(*, user: User, token_id: int) -> ApiToken:
    """The user's own token; someone else's is answered as if it did not exist."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound(gettext("No such token."))
    return token


def organizations_with_roles(*, user: User) -> list[tuple[Organization, list[str]]]:
    """The organizations the user holds a role in, each with those roles, in one query."""
    by_organization: dict[int, tuple[Organization, list[str]]] = {}
    roles = (
        OrganizationRole.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name", "organization__pk", "role")
    )
    for granted in roles:
        entry = by_organization.setdefault(granted.organization_id, (granted.organization, []))
        entry[1].append(granted.role)
    return list(by_organization.values())
