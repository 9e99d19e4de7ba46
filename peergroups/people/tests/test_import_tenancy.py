"""Issue 10, defect 1: an organization's import never reaches into another's people.

The attack: an admin of globex imports a CSV naming the address of a user of acme.
Before the fix the account got globex's member role without consent, the import's
answer told whether the address had an account, and globex overwrote the account's
name that acme's pages show.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peergroups.accounts.models import User
from peergroups.organizations.models import Invitation, OrganizationRole, Role
from peergroups.organizations.tasks import invitation_token
from peergroups.people.imports import members_import
from peergroups.people.invitations import invitation_accept
from peergroups.people.models import MemberProfile

ROW = "email,full_name,region,industry,expertise\n{email},Mallory Renamed,Oslo,Retail,sales\n"


def import_into_globex(cast, email: str):
    return members_import(
        organization=cast.other_organization,
        file=ROW.format(email=email),
        acting_user=cast.outsider,
        send_invitations=False,
    )


def test_import_does_not_attach_an_existing_account_to_another_organization(cast):
    import_into_globex(cast, cast.member.email)
    assert not OrganizationRole.objects.filter(
        user=cast.member, organization=cast.other_organization
    ).exists()
    assert not MemberProfile.objects.filter(
        user=cast.member, organization=cast.other_organization
    ).exists()


def test_import_does_not_change_the_accounts_name(cast):
    import_into_globex(cast, cast.member.email)
    cast.member.refresh_from_db()
    assert cast.member.full_name == "Mia Member"


def test_import_does_not_change_a_never_used_accounts_name_either(cast):
    quiet = User.objects.create_user(email="quiet@acme.test", password=None, full_name="Quinn")
    import_into_globex(cast, quiet.email)
    quiet.refresh_from_db()
    assert quiet.full_name == "Quinn"
    assert not quiet.organization_roles.exists()


def test_import_answers_the_same_whether_or_not_the_address_has_an_account(cast, client):
    with_account = import_into_globex(cast, cast.member.email)
    without_account = import_into_globex(cast, "nobody-anywhere@example.test")
    assert (with_account.created, with_account.updated, with_account.invited) == (
        without_account.created,
        without_account.updated,
        without_account.invited,
    )
    # And on the page, word for word (the addresses differ, the answer does not).
    client.force_login(cast.outsider)
    url = reverse("people-import", kwargs={"org_slug": "globex"})
    pages = []
    for email in ("max@acme.test", "never-seen@example.test"):
        upload = ROW.format(email=email).encode()
        response = client.post(
            url, {"file": SimpleUploadedFile("m.csv", upload, "text/csv")}, follow=True
        )
        page = response.content.decode().replace(email, "EMAIL")
        pages.append(
            re.sub(
                r'"X-CSRFToken": "[^"]+"|name="(csrfmiddlewaretoken|token)" value="[^"]+"',
                "",
                page,
            )
        )
    assert pages[0] == pages[1]


def test_the_account_joins_only_by_accepting_the_invitation(cast):
    import_into_globex(cast, cast.member.email)
    invitation = Invitation.objects.get(organization=cast.other_organization, email="mia@acme.test")
    assert invitation.full_name == "Mallory Renamed"  # globex's own record, not the account
    invitation_accept(token=invitation_token(invitation), user=cast.member)
    assert OrganizationRole.objects.filter(
        user=cast.member, organization=cast.other_organization, role=Role.MEMBER
    ).exists()
    profile = MemberProfile.objects.get(user=cast.member, organization=cast.other_organization)
    assert (profile.region, profile.industry) == ("Oslo", "Retail")
    cast.member.refresh_from_db()
    assert cast.member.full_name == "Mia Member"


def test_someone_else_cannot_accept_the_invitation_for_an_address(cast):
    from peergroups.errors import Refused

    import_into_globex(cast, cast.member.email)
    invitation = Invitation.objects.get(organization=cast.other_organization, email="mia@acme.test")
    with pytest.raises(Refused):
        invitation_accept(token=invitation_token(invitation), user=cast.member2)
    assert not OrganizationRole.objects.filter(
        user=cast.member2, organization=cast.other_organization
    ).exists()
