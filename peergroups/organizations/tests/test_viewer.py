"""The signed-in person is read with the roles they hold in one statement
(`organizations.viewer`): the same user and organizations the ORM reads, the same access
decisions, revocation and deactivation counting from the next request; sessions signed in
by Django's model backend still served, and a failed sign-in checked once."""

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import PASSWORD, make_user
from peergroups.accounts.models import User
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import Organization, Role
from peergroups.organizations.services import role_grant, role_revoke
from peergroups.organizations.viewer import VIEWER_BACKEND, ViewerBackend

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


def test_a_session_from_djangos_model_backend_stays_signed_in(client, cast):
    # Sessions signed in before the viewer backend name Django's model backend.
    client.force_login(cast.member, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(DASHBOARD).status_code == 200
    role_revoke(
        organization=cast.organization, user=cast.member, role=Role.MEMBER, acting_user=None
    )
    assert client.get(DASHBOARD).status_code == 404  # its roles are read afresh too


def test_signing_in_goes_through_the_viewer_backend(client, cast):
    signed_in = client.post(reverse("login"), {"username": cast.member.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == VIEWER_BACKEND


class CountingHasher(MD5PasswordHasher):
    """Counts the passwords it hashes or checks."""

    algorithm = "counting_md5"
    uses = 0

    def encode(self, password, salt):
        CountingHasher.uses += 1
        return super().encode(password, salt)


def test_a_failed_sign_in_hashes_the_password_once(client, cast, settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    cast.member.set_password("the right one")
    cast.member.save()
    for email in (cast.member.email, "nobody@acme.test"):  # a wrong password, an unknown person
        CountingHasher.uses = 0
        page = client.post(reverse("login"), {"username": email, "password": "a wrong one"})
        assert page.status_code == 422  # the form again, with its error
        assert CountingHasher.uses == 1
