"""The signed-in person, read with the roles they hold in one statement.

Every signed-in request loads its user, and every organization page then asks
`access.organization_access` for the roles that user holds. Through the ORM those are two
queries, and building and compiling each costs several times its round trip to the
database (`benchmarks.pages`). `ViewerBackend` reads the user's row joined to their roles
and those organizations in one plain statement (its text built once from the models'
fields, its values through the ORM's own converters) and leaves the rows on the user for
the request's first access check.

Nothing outlives the request: a role revoked, or a person deactivated, counts from their
next request in every process, as before. Sessions that Django's model backend signed in
before this backend existed stay signed in through it (settings.AUTHENTICATION_BACKENDS),
with the roles read by the access check as before.
"""

from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router
from django.db.models.sql import Query

from peergroups.accounts.models import User
from peergroups.organizations.models import Organization, OrganizationRole

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
        alias = router.db_for_read(User)
        connection = connections[alias]
        statement = _statement(alias)
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, [pk])
            rows = statement.convert(cursor.fetchall(), connection)
        if not rows:
            return None
        users = len(statement.user_fields)
        user = User.from_db(alias, statement.user_fields, rows[0][:users])
        roles = []
        for row in rows:
            role, organization = row[users], row[users + 1 :]
            if role is not None:  # the LEFT JOIN's one row for a person without roles
                roles.append(
                    (Organization.from_db(alias, statement.organization_fields, organization), role)
                )
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


class _Statement:
    def __init__(self, alias: str):
        connection = connections[alias]
        quote = connection.ops.quote_name
        user_fields = User._meta.concrete_fields
        organization_fields = Organization._meta.concrete_fields
        role_meta = OrganizationRole._meta

        def columns(prefix, fields):
            return [f"{prefix}.{quote(field.column)}" for field in fields]

        role = f"r.{quote(role_meta.get_field('role').column)}"
        selected = [*columns("u", user_fields), role, *columns("o", organization_fields)]
        self.sql = (
            f"SELECT {', '.join(selected)}"
            f" FROM {quote(User._meta.db_table)} u"
            f" LEFT JOIN {quote(role_meta.db_table)} r"
            f" ON r.{quote(role_meta.get_field('user').column)} = u.{quote(User._meta.pk.column)}"
            f" LEFT JOIN {quote(Organization._meta.db_table)} o"
            f" ON o.{quote(Organization._meta.pk.column)}"
            f" = r.{quote(role_meta.get_field('organization').column)}"
            f" WHERE u.{quote(User._meta.pk.column)} = %s"
        )
        self.user_fields = [field.attname for field in user_fields]
        self.organization_fields = [field.attname for field in organization_fields]
        fields = [*user_fields, role_meta.get_field("role"), *organization_fields]
        self._columns = [field.get_col(field.model._meta.db_table) for field in fields]

    def convert(self, rows: list[tuple], connection) -> list[tuple]:
        """The values as the ORM reads them (SQLite's dates and JSON arrive as text), through
        the converters of this thread's connection."""
        compiler = connection.ops.compiler("SQLCompiler")(Query(User), connection, connection.alias)
        converters = compiler.get_converters(self._columns)
        if not converters:
            return rows
        return [tuple(row) for row in compiler.apply_converters(rows, converters)]


@cache
def _statement(alias: str) -> _Statement:
    return _Statement(alias)
