"""Programs, the member list and the dashboards."""

from django.urls import reverse

from conftest import make_user
from peergroups.organizations.models import Program, Role
from peergroups.organizations.services import role_grant
from peergroups.people.services import member_profile_ensure


def test_admin_creates_a_program(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        reverse("groups-program-create", args=["acme"]),
        {
            "name": "Founders 2027",
            "min_group_size": "6",
            "max_group_size": "9",
            "grouping_basis": "industry",
            "meeting_cadence": "monthly",
        },
    )
    program = Program.objects.get(name="Founders 2027")
    assert response["Location"] == program.get_absolute_url()
    assert (program.min_group_size, program.max_group_size) == (6, 9)


def test_program_groups_larger_than_ten_are_refused(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        reverse("groups-program-create", args=["acme"]),
        {
            "name": "Too big",
            "min_group_size": "8",
            "max_group_size": "12",
            "grouping_basis": "mixed",
            "meeting_cadence": "monthly",
        },
    )
    assert response.status_code == 400
    assert b"Groups have between 2 and 10 members." in response.content
    assert b'value="Too big"' in response.content
    assert not Program.objects.filter(name="Too big").exists()


def test_member_list_filters_by_region_and_intake(client, cast):
    from peergroups.people.models import MemberProfile

    MemberProfile.objects.filter(user=cast.member).update(region="Boston", industry="Biotech")
    MemberProfile.objects.filter(user=cast.member2).update(region="Denver")
    client.force_login(cast.admin)
    url = reverse("organizations-members", args=["acme"])
    response = client.get(url, {"region": "Boston"})
    assert b"Mia Member" in response.content
    assert b"Max Member" not in response.content
    response = client.get(url, {"q": "max@"})
    assert b"Max Member" in response.content
    assert b"Mia Member" not in response.content


def test_member_list_runs_a_bounded_number_of_queries(client, cast, django_assert_max_num_queries):
    client.force_login(cast.admin)
    url = reverse("organizations-members", args=["acme"])
    client.get(url)  # the first visit stores the organization in the session
    with django_assert_max_num_queries(11):
        client.get(url)
    for i in range(60):
        user = make_user(f"bulk{i}@acme.test", f"Bulk {i}")
        role_grant(organization=cast.organization, user=user, role=Role.MEMBER, acting_user=None)
        member_profile_ensure(organization=cast.organization, user=user, program=cast.program)
    with django_assert_max_num_queries(11):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.count(b"<tr>") == 51  # header + one page of 50


def test_admin_dashboard_shows_counts(client, cast):
    client.force_login(cast.admin)
    response = client.get(reverse("organizations-dashboard", args=["acme"]))
    assert response.context["overview"]["members"] == 3
    assert b"Leaders 2027" in response.content


def test_member_dashboard_shows_their_group(client, cast):
    client.force_login(cast.member)
    response = client.get(reverse("organizations-dashboard", args=["acme"]))
    assert b"Group A" in response.content
    assert b"Group B" not in response.content
    assert "overview" not in response.context


def test_facilitator_dashboard_lists_only_their_groups(client, cast):
    client.force_login(cast.facilitator)
    response = client.get(reverse("organizations-dashboard", args=["acme"]))
    assert b"Group A" in response.content
    assert b"Group B" not in response.content


def test_switcher_lists_each_organization_of_a_person(client, cast):
    role_grant(
        organization=cast.other_organization, user=cast.member, role=Role.MEMBER, acting_user=None
    )
    client.force_login(cast.member)
    response = client.get(reverse("organizations-dashboard", args=["acme"]))
    assert b"Globex Circle" in response.content
    assert client.get(reverse("organizations-dashboard", args=["globex"])).status_code == 200
    # Home goes back to the organization used last.
    assert client.get(reverse("home"))["Location"] == reverse(
        "organizations-dashboard", args=["globex"]
    )


def test_admin_sees_group_roster_but_is_told_content_stays_private(client, cast):
    client.force_login(cast.admin)
    response = client.get(reverse("groups-detail", args=["acme", cast.group.pk]))
    assert b"Mia Member" in response.content
    assert response.context["sees_content"] is False
    client.force_login(cast.member)
    assert client.get(reverse("groups-detail", args=["acme", cast.group.pk])).context[
        "sees_content"
    ]
