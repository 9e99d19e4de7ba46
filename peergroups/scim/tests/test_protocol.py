"""SCIM 2.0 as Entra ID and Okta speak it, through the real endpoint (test client, bearer
token): people created, found by userName, paged, updated, deactivated through the one
deactivation, enrolled in programs through SCIM Groups; errors as SCIM error JSON; one
organization's token never reaches another's people."""

import json

import pytest

from peergroups.accounts.models import User
from peergroups.api.services import token_create
from peergroups.audit.models import AuditEntry
from peergroups.groups.models import GroupMembership
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import OrganizationRole, Program, Role
from peergroups.people.models import MemberProfile
from peergroups.scim.models import ScimToken, ScimUser
from peergroups.scim.services import scim_token_create, scim_token_revoke

pytestmark = pytest.mark.django_db

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def token_for(cast, organization=None, admin=None):
    organization = organization or cast.organization
    admin = admin or cast.admin
    access = organization_access(admin, organization.slug)
    return scim_token_create(access=access, acting_user=admin, name="Entra ID")[1]


class Scim:
    """A SCIM client over Django's test client, as an identity provider calls."""

    def __init__(self, client, token):
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def call(self, method, path, body=None, **query):
        url = "/scim/v2/" + path
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        data = json.dumps(body) if body is not None else ""
        response = self.client.generic(
            method, url, data, content_type="application/scim+json", **self.headers
        )
        response.data = json.loads(response.content) if response.content else None
        return response

    def create_user(self, user_name, **attributes):
        if "@" in user_name:
            attributes.setdefault("emails", [{"value": user_name, "primary": True}])
        body = {"schemas": [USER], "userName": user_name, "active": True, **attributes}
        return self.call("POST", "Users", body)


def entra_user(email, given="Ada", family="Lovelace", external_id="ext-1"):
    """The body Entra ID's default mapping POSTs."""
    return {
        "externalId": external_id,
        "name": {"givenName": given, "familyName": family, "formatted": f"{given} {family}"},
        "displayName": f"{given} {family}",
        "emails": [{"primary": True, "type": "work", "value": email}],
    }


@pytest.fixture
def scim(client, cast):
    return Scim(client, token_for(cast))


def test_create_makes_a_member_and_filter_finds_them(scim, cast):
    response = scim.create_user("ada@acme.test", **entra_user("ada@acme.test"))
    assert response.status_code == 201, response.data
    body = response.data
    assert body["userName"] == "ada@acme.test"
    assert body["active"] is True
    assert body["externalId"] == "ext-1"
    assert body["meta"]["location"].endswith(f"/scim/v2/Users/{body['id']}")
    user = User.objects.get(email="ada@acme.test")
    assert user.full_name == "Ada Lovelace"
    assert OrganizationRole.objects.filter(
        organization=cast.organization, user=user, role=Role.MEMBER
    ).exists()
    assert MemberProfile.objects.filter(organization=cast.organization, user=user).exists()
    assert AuditEntry.objects.filter(action="scim_user_create", actor=cast.admin).exists()

    found = scim.call("GET", "Users", filter='userName eq "ADA@acme.test"')
    assert found.status_code == 200
    assert found.data["schemas"] == [LIST]
    assert found.data["totalResults"] == 1
    assert found.data["Resources"][0]["id"] == body["id"]
    none = scim.call("GET", "Users", filter='userName eq "nobody@acme.test"')
    assert none.data["totalResults"] == 0


def test_list_pages_with_start_index_and_count(scim):
    for index in range(5):
        assert scim.create_user(f"p{index}@acme.test").status_code == 201
    page = scim.call("GET", "Users", startIndex=2, count=2)
    assert page.data["totalResults"] == 5
    assert page.data["startIndex"] == 2
    assert page.data["itemsPerPage"] == 2
    assert [r["userName"] for r in page.data["Resources"]] == ["p1@acme.test", "p2@acme.test"]


def test_uniqueness_conflicts_are_409_scim_errors(scim):
    assert scim.create_user("ada@acme.test").status_code == 201
    again = scim.create_user("Ada@Acme.test")
    assert again.status_code == 409
    assert again.data["schemas"] == [ERROR]
    assert again.data["scimType"] == "uniqueness"
    assert again.data["status"] == "409"
    other_name_same_email = scim.create_user(
        "ada-2", emails=[{"value": "ada@acme.test", "primary": True}]
    )
    assert other_name_same_email.status_code == 409


def test_a_person_without_an_address_is_a_400_with_a_reason(scim):
    """emails is required in our schema (we reach people by e-mail), and must hold one."""
    response = scim.create_user("not-an-address")
    assert response.status_code == 400
    assert response.data["schemas"] == [ERROR]
    assert "emails" in response.data["detail"]
    response = scim.create_user("not-an-address", emails=[{"value": "nope", "primary": True}])
    assert response.status_code == 400
    assert response.data["scimType"] == "invalidValue"
    assert "e-mail" in response.data["detail"]


def test_patch_updates_name_and_keeps_the_sign_in_address(scim, cast):
    created = scim.create_user("ada@acme.test", **entra_user("ada@acme.test")).data
    patch = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "replace", "path": "name.familyName", "value": "Byron"},
            {"op": "replace", "path": "name.formatted", "value": "Ada Byron"},
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "ab@acme.test"},
        ],
    }
    response = scim.call("PATCH", f"Users/{created['id']}", patch)
    assert response.status_code == 200, response.data
    assert response.data["name"]["familyName"] == "Byron"
    assert response.data["emails"][0]["value"] == "ab@acme.test"
    user = User.objects.get(pk=ScimUser.objects.get().user_id)
    assert user.full_name == "Ada Byron"
    # The sign-in address is the account holder's: an admin who could change it could
    # reset the password and read the person's group texts.
    assert user.email == "ada@acme.test"


def accept_invitation(email: str, organization):
    """The invited person opens their link and accepts (signed in to their account)."""
    from peergroups.organizations.models import Invitation, token_from_salt
    from peergroups.people.invitations import invitation_accept

    invitation = Invitation.objects.get(
        organization=organization, email=email, accepted_at__isnull=True
    )
    token = token_from_salt("invitation", invitation.token_salt)
    return invitation_accept(token=token, user=User.objects.get(email=email))


def test_an_existing_account_is_invited_and_answered_like_a_new_one(scim, cast):
    """Someone whose account exists (here, an admin of another organization) is never
    added by provisioning: they get an invitation and join by accepting it, as with any
    invitation. The provider's answer is the same as for a new address, and nothing of
    the account changes."""
    from peergroups.organizations.models import Invitation

    other = cast.outsider
    new = scim.create_user("new@acme.test", name={"formatted": "New Person"})
    existing = scim.create_user(other.email, name={"formatted": "Renamed By Acme"})
    assert existing.status_code == new.status_code == 201
    assert set(existing.data) == set(new.data)
    assert existing.data["active"] is new.data["active"] is True
    assert existing.data["name"]["formatted"] == "Renamed By Acme"  # acme's own record
    other.refresh_from_db()
    assert other.full_name != "Renamed By Acme"
    assert not OrganizationRole.objects.filter(organization=cast.organization, user=other).exists()
    invitation = Invitation.objects.get(organization=cast.organization, email=other.email)
    assert invitation.role == Role.MEMBER and invitation.full_name == "Renamed By Acme"
    patch = {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "displayName", "value": "X"}],
    }
    scim.call("PATCH", f"Users/{existing.data['id']}", patch)
    other.refresh_from_db()
    assert other.full_name != "X"

    accept_invitation(other.email, cast.organization)
    assert OrganizationRole.objects.filter(
        organization=cast.organization, user=other, role=Role.MEMBER
    ).exists()
    assert scim.call("GET", f"Users/{existing.data['id']}").data["active"] is True


def test_deactivating_an_invited_person_withdraws_the_invitation(scim, cast):
    from peergroups.organizations.models import Invitation

    created = scim.create_user(cast.outsider.email).data
    patch = {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    response = scim.call("PATCH", f"Users/{created['id']}", patch)
    assert response.status_code == 200, response.data
    assert response.data["active"] is False
    invitation = Invitation.objects.get(organization=cast.organization, email=cast.outsider.email)
    assert invitation.is_expired
    assert AuditEntry.objects.filter(action="invitation_revoke").exists()


def test_an_invited_persons_program_waits_on_the_invitation(scim, cast):
    created = scim.create_user(cast.outsider.email).data
    group = scim.call(
        "POST",
        "Groups",
        {"schemas": [GROUP], "displayName": "Leaders 2027", "members": [{"value": created["id"]}]},
    )
    assert group.status_code == 201, group.data
    assert [m["value"] for m in group.data["members"]] == [created["id"]]
    accept_invitation(cast.outsider.email, cast.organization)
    profile = MemberProfile.objects.get(organization=cast.organization, user=cast.outsider)
    assert profile.program.name == "Leaders 2027"
    read = scim.call("GET", f"Groups/{group.data['id']}").data
    assert [m["value"] for m in read["members"]] == [created["id"]]


def test_active_false_deactivates_through_the_one_deactivation(scim, cast):
    user = cast.member
    created = scim.create_user(user.email).data  # an existing member is adopted
    assert created["active"] is True
    assert GroupMembership.objects.filter(user=user, group=cast.group).exists()
    patch = {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]}
    response = scim.call("PATCH", f"Users/{created['id']}", patch)
    assert response.status_code == 200, response.data
    assert response.data["active"] is False
    # person_deactivate's effects: no role, no seat, its own audit row.
    assert not OrganizationRole.objects.filter(organization=cast.organization, user=user).exists()
    assert not GroupMembership.objects.filter(user=user, group=cast.group).exists()
    assert AuditEntry.objects.filter(action="person_deactivate", object_id=str(user.pk)).exists()
    read = scim.call("GET", f"Users/{created['id']}")
    assert read.data["active"] is False


def test_page_deactivation_shows_as_inactive_and_active_true_invites_them_back(scim, cast):
    """Mia joined by an invitation; deactivated on her page, she is inactive to the
    provider, and its active=true invites her again: she is back when she accepts."""
    created = scim.create_user(cast.member.email).data
    from peergroups.dashboards.persons import person_deactivate

    access = organization_access(cast.admin, "acme")
    person_deactivate(access=access, acting_user=cast.admin, user_id=cast.member.pk)
    assert scim.call("GET", f"Users/{created['id']}").data["active"] is False
    put = {
        "schemas": [USER],
        "userName": cast.member.email,
        "emails": [{"value": cast.member.email}],
        "active": True,
    }
    response = scim.call("PUT", f"Users/{created['id']}", put)
    assert response.status_code == 200, response.data
    assert response.data["active"] is True
    assert not OrganizationRole.objects.filter(
        organization=cast.organization, user=cast.member
    ).exists()
    accept_invitation(cast.member.email, cast.organization)
    assert OrganizationRole.objects.filter(
        organization=cast.organization, user=cast.member, role=Role.MEMBER
    ).exists()
    # Back as a member, not in their old seat: placing them is the admins' call.
    assert not GroupMembership.objects.filter(user=cast.member, group=cast.group).exists()


def test_an_account_provisioning_made_comes_back_at_once(scim, cast):
    created = scim.create_user("ada@acme.test").data
    off = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]}
    on = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": True}]}
    assert scim.call("PATCH", f"Users/{created['id']}", off).data["active"] is False
    assert not OrganizationRole.objects.filter(user__email="ada@acme.test").exists()
    assert scim.call("PATCH", f"Users/{created['id']}", on).data["active"] is True
    assert OrganizationRole.objects.filter(
        organization=cast.organization, user__email="ada@acme.test", role=Role.MEMBER
    ).exists()


def test_delete_deactivates_and_the_record_is_gone(scim, cast):
    created = scim.create_user(cast.member.email).data
    response = scim.call("DELETE", f"Users/{created['id']}")
    assert response.status_code == 204
    assert not OrganizationRole.objects.filter(
        organization=cast.organization, user=cast.member
    ).exists()
    assert scim.call("GET", f"Users/{created['id']}").status_code == 404
    assert User.objects.filter(pk=cast.member.pk).exists()  # the account and its history stay


def test_the_last_admin_cannot_be_deactivated_by_provisioning(scim, cast):
    created = scim.create_user(cast.admin.email).data
    patch = {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    response = scim.call("PATCH", f"Users/{created['id']}", patch)
    assert response.status_code == 409
    assert response.data["schemas"] == [ERROR]
    assert OrganizationRole.objects.filter(organization=cast.organization, user=cast.admin).exists()


def test_groups_are_programs_and_members_are_enrolled(scim, cast):
    ada = scim.create_user("ada@acme.test").data
    bob = scim.create_user("bob@acme.test").data
    response = scim.call(
        "POST",
        "Groups",
        {"schemas": [GROUP], "displayName": "Leaders 2027", "members": [{"value": ada["id"]}]},
    )
    assert response.status_code == 201, response.data
    group = response.data
    program = Program.objects.get(organization=cast.organization, name="Leaders 2027")
    assert group["id"] == str(program.pk)
    assert [m["value"] for m in group["members"]] == [ada["id"]]
    assert MemberProfile.objects.get(user__email="ada@acme.test").program == program

    found = scim.call("GET", "Groups", filter='displayName eq "Leaders 2027"')
    assert found.data["totalResults"] == 1

    # Entra and Okta change membership with PATCH add/remove.
    add = {
        "schemas": [PATCH],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": bob["id"]}]}],
    }
    assert scim.call("PATCH", f"Groups/{group['id']}", add).status_code == 200
    remove = {
        "schemas": [PATCH],
        "Operations": [{"op": "remove", "path": f'members[value eq "{ada["id"]}"]'}],
    }
    response = scim.call("PATCH", f"Groups/{group['id']}", remove)
    assert response.status_code == 200, response.data
    assert [m["value"] for m in response.data["members"]] == [bob["id"]]
    assert MemberProfile.objects.get(user__email="ada@acme.test").program is None
    assert MemberProfile.objects.get(user__email="bob@acme.test").program == program
    assert AuditEntry.objects.filter(action="program_enrol").count() == 2
    assert AuditEntry.objects.filter(action="program_leave").count() == 1

    # Deleting the group stops provisioning it; the program and its history stay.
    assert scim.call("DELETE", f"Groups/{group['id']}").status_code == 204
    assert Program.objects.filter(pk=program.pk).exists()
    assert MemberProfile.objects.get(user__email="bob@acme.test").program is None
    assert scim.call("GET", f"Groups/{group['id']}").status_code == 404


def test_leaving_a_program_leaves_its_group(scim, cast):
    """A provisioned member of a program's group who is removed from the program's SCIM
    Group leaves the group as a withdrawal does: seat freed, change recorded."""
    created = scim.create_user(cast.member.email).data
    response = scim.call(
        "POST",
        "Groups",
        {
            "schemas": [GROUP],
            "displayName": cast.program.name,
            "members": [{"value": created["id"]}],
        },
    )
    assert response.status_code == 201, response.data
    assert response.data["id"] == str(cast.program.pk)  # the existing program, adopted
    assert GroupMembership.objects.filter(user=cast.member, group=cast.group).exists()
    put = {"schemas": [GROUP], "displayName": cast.program.name, "members": []}
    assert scim.call("PUT", f"Groups/{cast.program.pk}", put).status_code == 200
    assert not GroupMembership.objects.filter(user=cast.member, group=cast.group).exists()
    assert AuditEntry.objects.filter(action="membership_withdraw").exists()


def test_one_program_at_a_time_is_a_409(scim, cast):
    ada = scim.create_user("ada@acme.test").data
    for name in ("One", "Two"):
        scim.call("POST", "Groups", {"schemas": [GROUP], "displayName": name})
    one = Program.objects.get(name="One")
    two = Program.objects.get(name="Two")
    add = {
        "schemas": [PATCH],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": ada["id"]}]}],
    }
    assert scim.call("PATCH", f"Groups/{one.pk}", add).status_code == 200
    response = scim.call("PATCH", f"Groups/{two.pk}", add)
    assert response.status_code == 409
    assert "one program at a time" in response.data["detail"]


def test_a_token_never_reaches_another_organization(client, cast):
    acme = Scim(client, token_for(cast))
    globex = Scim(client, token_for(cast, cast.other_organization, cast.outsider))
    ada = acme.create_user("ada@acme.test").data
    globex.create_user("gil@globex.test")
    assert globex.call("GET", f"Users/{ada['id']}").status_code == 404
    assert (
        globex.call("GET", "Users", filter='userName eq "ada@acme.test"').data["totalResults"] == 0
    )
    assert [r["userName"] for r in globex.call("GET", "Users").data["Resources"]] == [
        "gil@globex.test"
    ]
    patch = {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    assert globex.call("PATCH", f"Users/{ada['id']}", patch).status_code == 404
    assert globex.call("DELETE", f"Users/{ada['id']}").status_code == 404
    assert globex.call("GET", f"Groups/{cast.program.pk}").status_code == 404
    add = {
        "schemas": [PATCH],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": ada["id"]}]}],
    }
    globex_program = globex.call("POST", "Groups", {"schemas": [GROUP], "displayName": "G"}).data
    refused = globex.call("PATCH", f"Groups/{globex_program['id']}", add)
    assert refused.status_code == 400
    assert OrganizationRole.objects.filter(
        user__email="ada@acme.test", organization=cast.organization
    ).exists()


def test_without_a_live_token_every_route_is_401(client, cast):
    token = token_for(cast)
    for value in ("", "Bearer nope", "Bearer pgscim_wrong", f"Basic {token}"):
        headers = {"HTTP_AUTHORIZATION": value} if value else {}
        response = client.get("/scim/v2/Users", **headers)
        assert response.status_code == 401
        assert json.loads(response.content)["schemas"] == [ERROR]
        assert response["WWW-Authenticate"].startswith("Bearer")
    # An API token is not a SCIM token.
    api_key = token_create(user=cast.admin, name="api")[1]
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {api_key}").status_code == 401
    # Revoked: at once.
    access = organization_access(cast.admin, "acme")
    scim_token_revoke(access=access, acting_user=cast.admin, token_id=ScimToken.objects.get().pk)
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_a_token_ends_with_its_admin(client, cast):
    """The admin who made it is no longer one: the token stops (a person's end ends what
    they made work), without anyone having to find and revoke it."""
    from conftest import make_member

    second = make_member(cast.organization, "second@acme.test", "Second Admin", role="admin")
    token = token_for(cast, admin=second)
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    from peergroups.dashboards.persons import person_deactivate

    access = organization_access(cast.admin, "acme")
    person_deactivate(access=access, acting_user=cast.admin, user_id=second.pk)
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_service_provider_config_needs_no_token_and_declares_what_is_unsupported(client):
    response = client.get("/scim/v2/ServiceProviderConfig")
    assert response.status_code == 200
    config = json.loads(response.content)
    assert config["patch"]["supported"] is True
    assert config["filter"]["supported"] is True
    for feature in ("bulk", "sort", "etag", "changePassword"):
        assert config[feature]["supported"] is False


def test_schemas_publish_only_what_is_kept(scim):
    response = scim.call("GET", "Schemas/" + USER)
    names = [a["name"] for a in response.data["attributes"]]
    assert names == ["userName", "name", "displayName", "active", "emails"]


def test_entra_id_patches_as_it_sends_them(scim, cast):
    """Entra ID capitalises op names, has sent booleans as strings, and removes a group
    member with a value list instead of a filter; each must do what Entra means."""
    ada = scim.create_user("ada@acme.test").data
    bob = scim.create_user("bob@acme.test").data
    disable = {
        "schemas": [PATCH],
        "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
    }
    response = scim.call("PATCH", f"Users/{ada['id']}", disable)
    assert response.status_code == 200, response.data
    assert response.data["active"] is False
    group = scim.call(
        "POST",
        "Groups",
        {
            "schemas": [GROUP],
            "displayName": "Leaders",
            "members": [{"value": ada["id"]}, {"value": bob["id"]}],
        },
    ).data
    remove = {
        "schemas": [PATCH],
        "Operations": [{"op": "Remove", "path": "members", "value": [{"value": ada["id"]}]}],
    }
    response = scim.call("PATCH", f"Groups/{group['id']}", remove)
    assert response.status_code == 200, response.data
    assert [m["value"] for m in response.data["members"]] == [bob["id"]]


def test_entra_ids_default_mapping_is_accepted(scim):
    """Entra ID's default attribute mapping sends attributes we do not keep (title, phone
    numbers, addresses, the enterprise extension): dropped, never a reason to refuse."""
    enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    body = {
        "schemas": [USER, enterprise],
        "userName": "grace@acme.test",
        "active": True,
        "displayName": "Grace Hopper",
        "title": "Rear Admiral",
        "preferredLanguage": "en-US",
        "emails": [{"primary": True, "type": "work", "value": "grace@acme.test"}],
        "name": {"formatted": "Grace Hopper", "familyName": "Hopper", "givenName": "Grace"},
        "phoneNumbers": [{"type": "work", "value": "+1 555 0100"}],
        "addresses": [{"type": "work", "formatted": "Arlington", "primary": True}],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        enterprise: {"employeeNumber": "42", "department": "Navy"},
    }
    response = scim.call("POST", "Users", body)
    assert response.status_code == 201, response.data
    assert "title" not in response.data
    assert response.data["name"]["familyName"] == "Hopper"


def test_a_provisioned_person_chooses_a_password_with_a_reset_link(
    scim, client, run_tasks, django_capture_on_commit_callbacks
):
    """No password comes from the provider; "Forgot your password?" works for them."""
    import re

    from django.core import mail
    from django.urls import reverse

    scim.create_user("ada@acme.test", **entra_user("ada@acme.test"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "ada@acme.test"})
    run_tasks()
    assert [m.to for m in mail.outbox] == [["ada@acme.test"]]
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(path, follow=True)
    new_password = "a-long-new-password-42"
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert User.objects.get(email="ada@acme.test").check_password(new_password)


@pytest.mark.parametrize("resource", ["Users", "Groups"])
def test_a_page_of_people_or_programs_costs_the_same_queries_at_any_size(scim, cast, resource):
    """No query per person: a provider reading 10,000 people page by page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def read() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = scim.call("GET", resource, count=100)
        assert response.status_code == 200
        return len(queries)

    def grow(start: int, stop: int) -> None:
        for index in range(start, stop):
            person = scim.create_user(f"p{index}@acme.test").data
            if resource == "Groups":
                scim.call(
                    "POST",
                    "Groups",
                    {
                        "schemas": [GROUP],
                        "displayName": f"P{index}",
                        "members": [{"value": person["id"]}],
                    },
                )

    grow(0, 2)
    small = read()
    grow(2, 12)
    assert read() == small


def test_a_base_url_given_with_a_trailing_slash_works_too(scim):
    """A provider told ".../scim/v2/" asks for ".../scim/v2//Users"."""
    assert scim.create_user("ada@acme.test").status_code == 201
    response = scim.call("GET", "/Users")  # the client adds "/scim/v2/" before it
    assert response.status_code == 200
    assert response.data["totalResults"] == 1
