"""The admin's member list through the API: fields, filters, pagination, query count."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import timezone

from conftest import make_user
from peergroups.api.tests.helpers import bearer
from peergroups.groups.services import program_create
from peergroups.organizations.models import Role
from peergroups.organizations.services import role_grant
from peergroups.people.models import MemberProfile, NotWith
from peergroups.people.services import member_profile_ensure

MEMBERS = "/api/organizations/acme/members"


def add_members(cast, count: int, **fields) -> list[MemberProfile]:
    profiles = []
    for n in range(count):
        user = make_user(f"extra{n}-{fields.get('region', 'x')}@acme.test", f"Extra {n:03d}")
        role_grant(organization=cast.organization, user=user, role=Role.MEMBER, acting_user=None)
        profile = member_profile_ensure(
            organization=cast.organization, user=user, program=cast.program
        )
        MemberProfile.objects.filter(pk=profile.pk).update(**fields)
        profiles.append(profile)
    return profiles


@pytest.fixture
def admin_headers(cast):
    return bearer(cast.admin)


def test_members_are_the_organizations_profiles_only(client, cast, admin_headers):
    body = client.get(MEMBERS, **admin_headers).json()
    assert body["count"] == 3
    assert [m["user"]["email"] for m in body["items"]] == [
        "max@acme.test",
        "mia@acme.test",
        "oli@acme.test",
    ]


def test_member_shows_profile_fields_but_no_confidential_text(client, cast, admin_headers):
    MemberProfile.objects.filter(user=cast.member).update(
        region="Boston",
        industry="biotech",
        expertise=["finance"],
        challenges="My boss is the problem",
        goals="Leave by summer",
        competitors=["Initech"],
        completed_at=timezone.now(),
    )
    NotWith.objects.create(organization=cast.organization, user=cast.member, other=cast.member2)
    response = client.get(MEMBERS, {"q": "mia"}, **admin_headers)
    (item,) = response.json()["items"]
    assert item["user"] == {
        "id": cast.member.pk,
        "email": "mia@acme.test",
        "full_name": "Mia Member",
    }
    assert item["program"] == {"id": cast.program.pk, "name": "Leaders 2027"}
    assert item["region"] == "Boston"
    assert item["expertise"] == ["finance"]
    assert item["intake_complete"] is True
    for secret in ("challenges", "goals", "competitors", "reports_to", "availability"):
        assert secret not in item
    assert "My boss" not in response.content.decode()
    assert "Initech" not in response.content.decode()


def test_members_filter_by_region_industry_program_and_intake(client, cast, admin_headers):
    MemberProfile.objects.filter(user=cast.member).update(
        region="Boston", industry="biotech", completed_at=timezone.now()
    )
    MemberProfile.objects.filter(user=cast.member2).update(region="Boston", industry="retail")
    other_program = program_create(
        organization=cast.organization, acting_user=cast.admin, name="Leaders 2028"
    )
    MemberProfile.objects.filter(user=cast.other_member).update(program=other_program)

    def emails(**params):
        response = client.get(MEMBERS, params, **admin_headers)
        assert response.status_code == 200
        return [m["user"]["email"] for m in response.json()["items"]]

    assert emails(region="Boston") == ["max@acme.test", "mia@acme.test"]
    assert emails(region="Boston", industry="biotech") == ["mia@acme.test"]
    assert emails(program=other_program.pk) == ["oli@acme.test"]
    assert emails(intake="complete") == ["mia@acme.test"]
    assert emails(intake="pending") == ["max@acme.test", "oli@acme.test"]
    assert emails(q="OLI") == ["oli@acme.test"]
    assert emails(region="Nowhere") == []


def test_members_paginate_with_limit_and_offset(client, cast, admin_headers):
    add_members(cast, 7)
    first = client.get(MEMBERS, {"limit": 4}, **admin_headers).json()
    second = client.get(MEMBERS, {"limit": 4, "offset": 4}, **admin_headers).json()
    third = client.get(MEMBERS, {"limit": 4, "offset": 8}, **admin_headers).json()
    assert first["count"] == second["count"] == third["count"] == 10
    assert [len(first["items"]), len(second["items"]), len(third["items"])] == [4, 4, 2]
    ids = [m["id"] for page in (first, second, third) for m in page["items"]]
    assert len(set(ids)) == 10


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": "many"}, {"intake": "maybe"}],
)
def test_bad_paging_or_filter_is_422_with_reasons(client, cast, admin_headers, params):
    response = client.get(MEMBERS, params, **admin_headers)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_limit_up_to_the_maximum_is_accepted(client, cast, admin_headers):
    assert client.get(MEMBERS, {"limit": 200}, **admin_headers).status_code == 200


def test_member_list_query_count_does_not_grow_with_rows(
    client, cast, admin_headers, django_assert_max_num_queries
):
    # Frozen: a new minute would start a new throttle window (a few more queries, once).
    with time_machine.travel(datetime(2030, 1, 1, 12, 0, 5, tzinfo=UTC), tick=False):
        client.get(MEMBERS, **admin_headers)  # the token's first use writes last_used_at
        # token and user, throttle counter, roles, organization, count, one page with user
        # and program joined
        with django_assert_max_num_queries(6):
            small = client.get(MEMBERS, {"limit": 200}, **admin_headers)
        add_members(cast, 40, region="Boston")
        with django_assert_max_num_queries(6):
            large = client.get(MEMBERS, {"limit": 200}, **admin_headers)
    assert len(small.json()["items"]) == 3
    assert len(large.json()["items"]) == 43


def test_a_filter_in_another_spelling_finds_the_list_entry(client, cast, admin_headers):
    """Issue 20: category values fold on every path, filters included."""
    from peergroups.people.models import Category

    Category.objects.create(organization=cast.organization, kind="region", label="Midwest")
    MemberProfile.objects.filter(user=cast.member).update(region="Midwest")
    response = client.get(MEMBERS, {"region": "  MIDWEST "}, **admin_headers)
    assert [m["user"]["email"] for m in response.json()["items"]] == ["mia@acme.test"]
    client.force_login(cast.admin)
    from django.urls import reverse

    page = client.get(
        reverse("organizations-members", args=["acme"]), {"q": "", "region": "Midwest"}
    )
    assert page.status_code == 200 and "mia@acme.test" in page.content.decode()
