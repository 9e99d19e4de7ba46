"""The one rule of who a verified identity from an organization's provider may be
(`sign_on_admit`), row by row. The pages run the protocol and call it (test_sign_in)."""

import pytest
from django.contrib.auth import get_user_model

from conftest import make_user
from peergroups.errors import Refused
from peergroups.organizations.models import OrganizationRole, Role
from peergroups.organizations.services import invitation_create
from peergroups.sso.oidc import Identity
from peergroups.sso.services import INVITED, JOINED, MEMBER, sign_on_admit
from peergroups.sso.tests.conftest import sign_on_configure

User = get_user_model()


def identity(email: str, verified: bool = True, name: str = "") -> Identity:
    return Identity(subject="s-1", email=email, email_verified=verified, name=name)


@pytest.fixture
def acme(cast):
    sign_on_configure(cast.organization, cast.admin, "https://login.acme.test", ["acme.test"])
    return cast.organization


def invite(cast, email: str, role=Role.MEMBER):
    return invitation_create(
        organization=cast.organization, email=email, role=role, acting_user=cast.admin, send=False
    )[0]


@pytest.mark.parametrize(
    ("who", "email"),
    [
        ("member", "mia@acme.test"),
        ("facilitator", "fran@acme.test"),
        ("admin", "admin@acme.test"),
    ],
)
def test_people_of_the_organization_sign_in(cast, acme, who, email):
    assert sign_on_admit(organization=acme, identity=identity(email.upper())) == (
        getattr(cast, who),
        MEMBER,
    )


def test_an_invitation_is_accepted_for_a_new_account(cast, acme):
    invitation = invite(cast, "nina@elsewhere.test")
    invitation.full_name = "Nina from the import"
    invitation.save(update_fields=["full_name"])
    user, how = sign_on_admit(organization=acme, identity=identity("nina@elsewhere.test"))
    assert how == INVITED and user.full_name == "Nina from the import"
    invitation.refresh_from_db()
    assert invitation.accepted_by == user


def test_an_invitation_is_accepted_for_an_account_of_no_organization(cast, acme):
    loner = make_user("lee@elsewhere.test", "Lee Loner")
    invite(cast, "lee@elsewhere.test", role=Role.FACILITATOR)
    assert sign_on_admit(organization=acme, identity=identity("lee@elsewhere.test")) == (
        loner,
        INVITED,
    )
    # Facilitators apply first, as through the invitation link.
    assert OrganizationRole.objects.get(user=loner).role == Role.APPLICANT


def test_a_long_name_from_the_provider_is_cut_to_fit(cast, acme):
    user, _ = sign_on_admit(organization=acme, identity=identity("long@acme.test", name="N" * 400))
    assert user.full_name == "N" * 150


def test_an_allowed_domain_lets_a_new_person_join_as_member(cast, acme):
    user, how = sign_on_admit(organization=acme, identity=identity("nora@acme.test", name="Nora"))
    assert how == JOINED and user.full_name == "Nora" and not user.has_usable_password()
    assert OrganizationRole.objects.get(user=user).role == Role.MEMBER
    assert user.member_profiles.get().organization == acme


@pytest.mark.parametrize(
    ("case", "arrange", "email", "verified"),
    [
        ("unverified e-mail of a member", None, "mia@acme.test", False),
        ("no e-mail", None, "", True),
        ("not an e-mail", None, "mia@acme.test@evil.test", True),
        ("unknown, domain not allowed", None, "eve@evil.test", True),
        ("account of no organization, domain allowed", "loner", "lee@acme.test", True),
        ("deactivated member", "deactivate", "mia@acme.test", True),
        ("inactive account", "inactive", "mia@acme.test", True),
        ("staff account", "staff", "mia@acme.test", True),
        ("person of another organization", None, "outsider@globex.test", True),
        ("person of this and another organization", "both", "mia@acme.test", True),
        ("another organization's person with an invitation here", "invite_outsider",
         "outsider@globex.test", True),
        ("expired invitation", "expired", "old@elsewhere.test", True),
    ],
)  # fmt: skip
def test_everyone_else_is_refused(cast, acme, case, arrange, email, verified):
    if arrange == "loner":
        make_user("lee@acme.test", "Lee Loner")
    elif arrange == "deactivate":
        from peergroups.dashboards.persons import person_deactivate
        from peergroups.organizations.access import organization_access

        person_deactivate(
            access=organization_access(cast.admin, "acme"),
            acting_user=cast.admin,
            user_id=cast.member.pk,
        )
    elif arrange == "inactive":
        User.objects.filter(pk=cast.member.pk).update(is_active=False)
    elif arrange == "staff":
        User.objects.filter(pk=cast.member.pk).update(is_staff=True)
    elif arrange == "both":
        OrganizationRole.objects.create(
            organization=cast.other_organization, user=cast.member, role=Role.MEMBER
        )
    elif arrange == "invite_outsider":
        invite(cast, "outsider@globex.test")
    elif arrange == "expired":
        from django.utils import timezone

        invitation = invite(cast, "old@elsewhere.test")
        invitation.expires_at = timezone.now()
        invitation.save(update_fields=["expires_at"])
    users, roles = User.objects.count(), OrganizationRole.objects.count()
    with pytest.raises(Refused) as refused:
        sign_on_admit(organization=acme, identity=identity(email, verified))
    assert (User.objects.count(), OrganizationRole.objects.count()) == (users, roles), case
    # Which rule said no is not told: the provider's side is the organization's admins.
    if verified and "@" in email and email.count("@") == 1:
        assert refused.value.reason == (
            f"{email} cannot sign in to Acme Leaders with a company account. If you have a "
            "password here, sign in with it; otherwise ask your program admin for an "
            "invitation."
        ), case
