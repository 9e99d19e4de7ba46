"""Every endpoint for every member of the cast, through real HTTP with a bearer token."""

import pytest

from peergroups.api.tests.helpers import bearer
from peergroups.groups.services import program_create
from peergroups.organizations.models import Role
from peergroups.organizations.services import role_grant

ME = "/api/me"
ORGANIZATIONS = "/api/organizations"
PROGRAMS = "/api/organizations/acme/programs"
MEMBERS = "/api/organizations/acme/members"

# who -> expected status on acme's admin-only routes
ADMIN_ONLY = {
    "admin": 200,
    "facilitator": 403,
    "other_facilitator": 403,
    "member": 403,
    "member2": 403,
    "other_member": 403,
    "outsider": 404,
}


@pytest.mark.parametrize("url", [ME, ORGANIZATIONS, PROGRAMS, MEMBERS])
def test_anonymous_gets_401_everywhere(client, cast, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize("url", [PROGRAMS, MEMBERS])
@pytest.mark.parametrize("who,status", ADMIN_ONLY.items())
def test_admin_only_routes_for_each_role(client, cast, url, who, status):
    response = client.get(url, **bearer(getattr(cast, who)))
    assert response.status_code == status
    if status != 200:
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"]


def test_other_role_in_organization_is_told_why(client, cast):
    response = client.get(PROGRAMS, **bearer(cast.member))
    assert response.json() == {"detail": "Your role in this organization does not allow this."}


def test_outsider_cannot_tell_an_organization_exists(client, cast):
    existing = client.get(PROGRAMS, **bearer(cast.outsider))
    missing = client.get("/api/organizations/no-such-org/programs", **bearer(cast.outsider))
    assert existing.status_code == missing.status_code == 404
    assert existing.json() == missing.json()


def test_outsider_is_admin_of_own_organization_only(client, cast):
    response = client.get("/api/organizations/globex/programs", **bearer(cast.outsider))
    assert response.status_code == 200
    assert response.json() == {"count": 0, "items": []}


@pytest.mark.parametrize("who", ADMIN_ONLY)
@pytest.mark.parametrize("url", [ME, ORGANIZATIONS])
def test_own_account_routes_open_to_every_signed_in_person(client, cast, who, url):
    assert client.get(url, **bearer(getattr(cast, who))).status_code == 200


def test_me_lists_organizations_with_roles(client, cast):
    role_grant(
        organization=cast.organization, user=cast.facilitator, role=Role.MEMBER, acting_user=None
    )
    response = client.get(ME, **bearer(cast.facilitator))
    assert response.json() == {
        "id": cast.facilitator.pk,
        "email": "fran@acme.test",
        "full_name": "Fran Facilitator",
        "organizations": [
            {"slug": "acme", "name": "Acme Leaders", "roles": ["facilitator", "member"]}
        ],
    }


def test_organizations_lists_only_those_with_a_role(client, cast):
    role_grant(
        organization=cast.other_organization, user=cast.admin, role=Role.MEMBER, acting_user=None
    )
    assert client.get(ORGANIZATIONS, **bearer(cast.admin)).json() == [
        {"slug": "acme", "name": "Acme Leaders", "roles": ["admin"]},
        {"slug": "globex", "name": "Globex Circle", "roles": ["member"]},
    ]
    assert client.get(ORGANIZATIONS, **bearer(cast.outsider)).json() == [
        {"slug": "globex", "name": "Globex Circle", "roles": ["admin"]},
    ]


def test_programs_lists_programs_with_counts(client, cast):
    program_create(organization=cast.other_organization, acting_user=None, name="Not acme's")
    body = client.get(PROGRAMS, **bearer(cast.admin)).json()
    assert body["count"] == 1
    programs = body["items"]
    assert [p["name"] for p in programs] == ["Leaders 2027"]
    assert programs[0]["id"] == cast.program.pk
    assert programs[0]["enrolled"] == 3
    assert programs[0]["group_count"] == 2
    assert programs[0]["max_group_size"] == 10
