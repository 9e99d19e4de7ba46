"""The signed-in person, read with the roles they hold in one statement.

Every signed-in request loads its user, and every organization page then asks
`access.organization_access` for the roles that user holds. Through the ORM those are two
queries, and building and compiling each costs several times its round trip to the
database (`benchmarks.pages`). `ViewerBackend` reads the user's row joined to their roles
and those organizations in one fixed statement (`peergroups.statements`) and leaves the
rows on the user for the request's first access check.

Nothing outlives the request: a role revoked, or a person deactivated, counts from their
next request in every process, as before. Sessions that Django's model backend signed in
before this backend existed stay signed in through it (settings.AUTHENTICATION_BACKENDS),
with the roles read by the access check as before.
"""

from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router

from peergroups.accounts.models import User
from peergroups.organizations.models import Organization, OrganizationRole
from peergroups.statements import Columns, in_id_range, rows

VIEWER_BACKEND = "peergroups.organizations.viewer.ViewerBackend"
# The attribute the user carries from its load to the first access check of the request.
PRELOADED_ROLES = "_preloaded_roles"


class ViewerBackend(ModelBackend):
    """Django's model backend (passwords, permissions, `is_active`), but the session's
    user comes with the roles they hold: `organization_access` does not ask again."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            # The end of a failed sign-in: the model backend listed after this one (for its
            # older sessions) would check the same password against the same row again.
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        db = router.db_for_read(User)
        if not in_id_range(db, pk):
            return None
        found = rows(_sql(db), [pk], alias=db, fields=_FIELDS)
        if not found:
            return None
        user = _USER.instance(db, found[0][: len(_USER)])
        roles = []
        for row in found:
            role, organization = row[len(_USER)], row[len(_USER) + 1 :]
            if role is not None:  # the LEFT JOIN's one row for a person without roles
                roles.append((_ORGANIZATION.instance(db, organization), role))
        setattr(user, PRELOADED_ROLES, roles)
        return user if self.user_can_authenticate(user) else None


def roles_held(user: User) -> list[tuple[Organization, str]]:
    """(organization, role) for each role the user holds: the rows their load this request
    brought (taken once, so a role granted later in the same request is seen), else a query."""
    preloaded = getattr(user, PRELOADED_ROLES, None)
    if preloaded is not None:
        delattr(user, PRELOADED_ROLES)
        return preloaded
    held = OrganizationRole.objects.filter(user=user).select_related("organization")
    return [(role.organization, role.role) for role in held]


_USER = Columns(User, "u")
_ROLE = Columns(OrganizationRole, "r")
_ORGANIZATION = Columns(Organization, "o")
_FIELDS = [*_USER.fields, OrganizationRole._meta.get_field("role"), *_ORGANIZATION.fields]


@cache
def _sql(db: str) -> str:
    connection = connections[db]
    return (
        f"SELECT {_USER.select(connection)}, {_ROLE.column(connection, 'role')},"
        f" {_ORGANIZATION.select(connection)}"
        f" FROM {_USER.table(connection)}"
        f" LEFT JOIN {_ROLE.table(connection)}"
        f" ON {_ROLE.column(connection, 'user')} = {_USER.column(connection, 'id')}"
        f" LEFT JOIN {_ORGANIZATION.table(connection)}"
        f" ON {_ORGANIZATION.column(connection, 'id')} = {_ROLE.column(connection, 'organization')}"
        f" WHERE {_USER.column(connection, 'id')} = %s"
    )
