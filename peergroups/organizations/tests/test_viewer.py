"""The signed-in person is read with the roles they hold in one statement
(`organizations.viewer`): the same user and organizations the ORM reads, the same access
decisions, revocation and deactivation counting from the next request, and open sessions
carried over by the migration that renamed their backend."""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from peergroups.accounts.models import User
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import Organization, Role
from peergroups.organizations.services import role_grant, role_revoke
from peergroups.organizations.viewer import VIEWER_BACKEND, ViewerBackend

MIGRATION = import_module("peergroups.organizations.migrations.0012_sessions_viewer_backend")
DASHBOARD = reverse("organizations-dashboard", args=["acme"])


def field_values(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


def test_the_backend_reads_the_same_user_and_organizations_as_the_orm(cast):
    cast.organization.facilitator_qualifications = ["ICF ACC", "Vistage chair"]
    cast.organization.save()
    role_grant(
        organization=cast.other_organization, user=cast.member, role=Role.MEMBER, acting_user=None
    )

    user = ViewerBackend().get_user(str(cast.member.pk))  # the session keeps the id as text

    assert field_values(user) == field_values(User.objects.get(pk=cast.member.pk))
    access = organization_access(user, "acme")
    assert access.roles == {Role.MEMBER}
    assert [field_values(o) for o in access.organizations] == [
        field_values(o)
        for o in Organization.objects.filter(slug__in=["acme", "globex"]).order_by("name")
    ]
    assert access.organization.facilitator_qualifications == ["ICF ACC", "Vistage chair"]


def test_a_person_without_roles_is_signed_in_and_sees_no_organization(client, db):
    loner = make_user("loner@acme.test", "Lone Ranger")
    assert ViewerBackend().get_user(loner.pk) == loner
    client.force_login(loner)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(DASHBOARD).status_code == 404


def test_unknown_inactive_and_malformed_ids_get_no_user(cast):
    cast.member.is_active = False
    cast.member.save()
    backend = ViewerBackend()
    assert backend.get_user(cast.member.pk) is None
    assert backend.get_user(10**9) is None
    assert backend.get_user("not a number") is None


def test_an_organization_page_reads_the_user_and_roles_in_one_query(client, cast):
    client.force_login(cast.member)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(DASHBOARD).status_code == 200
    statements = [query["sql"] for query in captured]
    users = [sql for sql in statements if 'FROM "accounts_user"' in sql]
    roles = [sql for sql in statements if '"organizations_organizationrole"' in sql]
    assert len(users) == 1
    assert roles == users


def test_a_role_revoked_or_a_person_deactivated_counts_from_the_next_request(client, cast):
    client.force_login(cast.member)
    assert client.get(DASHBOARD).status_code == 200
    role_revoke(
        organization=cast.organization, user=cast.member, role=Role.MEMBER, acting_user=cast.admin
    )
    assert client.get(DASHBOARD).status_code == 404

    role_grant(
        organization=cast.organization, user=cast.member, role=Role.MEMBER, acting_user=cast.admin
    )
    assert client.get(DASHBOARD).status_code == 200
    User.objects.filter(pk=cast.member.pk).update(is_active=False)
    assert client.get(DASHBOARD).status_code == 302  # signed out: to the sign-in page


def test_the_preloaded_roles_serve_one_check_and_later_checks_ask_again(cast):
    user = ViewerBackend().get_user(cast.outsider.pk)
    assert organization_access(user, "globex").is_admin
    # A role granted later in the same request is seen by the next check.
    role_grant(
        organization=cast.organization, user=cast.outsider, role=Role.FACILITATOR, acting_user=None
    )
    assert organization_access(user, "acme").roles == {Role.FACILITATOR}


def test_the_migration_keeps_sessions_signed_in_with_djangos_model_backend(client, cast):
    model_backend = "django.contrib.auth.backends.ModelBackend"
    client.force_login(cast.member, backend=model_backend)  # a session from before the upgrade
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    session = Session.objects.get()
    assert store.decode(session.session_data)[BACKEND_SESSION_KEY] == model_backend
    assert client.get(DASHBOARD).status_code == 302  # a backend no longer configured

    MIGRATION.forward(apps, None)
    assert store.decode(Session.objects.get().session_data)[BACKEND_SESSION_KEY] == VIEWER_BACKEND
    assert client.get(DASHBOARD).status_code == 200

    MIGRATION.backward(apps, None)
    assert store.decode(Session.objects.get().session_data)[BACKEND_SESSION_KEY] == model_backend
