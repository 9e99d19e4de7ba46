"""Who may share a group after publish: every seat change asks `people.conflicts`, and a
pair that became a conflict later is flagged on the board to admins, never moved."""

import pytest
from django.urls import reverse

from conftest import make_user
from peergroups.dashboards.board import CONFLICT, board_for_user
from peergroups.errors import Conflict
from peergroups.formation.services import placement_apply, placement_suggestions
from peergroups.groups import services
from peergroups.groups.models import GroupMembership, MembershipChange
from peergroups.groups.selectors import group_conflicts
from peergroups.groups.services import membership_add
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import Role
from peergroups.organizations.services import role_grant
from peergroups.people.models import MemberProfile
from peergroups.people.services import member_profile_ensure, not_with_set


def admin_access(cast):
    return organization_access(cast.admin, "acme")


def declare_not_with(cast, user, other):
    profile = MemberProfile.objects.get(organization=cast.organization, user=user)
    not_with_set(profile=profile, others=[other])


def reports_to(cast, user, manager):
    MemberProfile.objects.filter(organization=cast.organization, user=user).update(
        reports_to=manager
    )


def late_joiner(cast, email="lea@acme.test", name="Lea Late"):
    user = make_user(email, name)
    role_grant(organization=cast.organization, user=user, role=Role.MEMBER, acting_user=None)
    member_profile_ensure(organization=cast.organization, user=user, program=cast.program)
    return user


@pytest.mark.django_db
def test_move_into_the_group_of_a_declared_not_with_is_refused_without_the_reason(cast):
    declare_not_with(cast, cast.other_member, cast.member)
    with pytest.raises(Conflict) as refused:
        services.membership_move(
            access=admin_access(cast),
            acting_user=cast.admin,
            group=cast.group,
            user_id=cast.member.pk,
            to_group_id=cast.other_group.pk,
        )
    assert str(refused.value.reason) == "Mia Member and Oli Member cannot share a group."
    assert "not" not in refused.value.reason.replace("cannot", "")
    assert GroupMembership.objects.get(user=cast.member).group == cast.group
    cast.group.refresh_from_db()
    cast.other_group.refresh_from_db()
    assert (cast.group.member_count, cast.other_group.member_count) == (2, 1)
    assert not MembershipChange.objects.exists()


@pytest.mark.django_db
def test_move_into_the_group_of_ones_own_manager_is_refused_on_the_page(
    client, cast, mailoutbox, django_capture_on_commit_callbacks
):
    reports_to(cast, cast.member, cast.other_member)
    client.force_login(cast.admin)
    url = reverse("groups-manage", kwargs={"org_slug": "acme", "group_id": cast.group.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "action": "move",
                "move-user": cast.member.pk,
                "move-to_group": cast.other_group.pk,
                "move-reason": "Asked to",
            },
        )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Mia Member and Oli Member cannot share a group (reporting line)." in page
    assert "moved to" not in page
    assert GroupMembership.objects.get(user=cast.member).group == cast.group
    assert mailoutbox == []  # no welcome e-mail for a move that did not happen


@pytest.mark.django_db
def test_an_addition_and_a_late_joiner_placement_ask_the_same_rule(cast):
    lea = late_joiner(cast)
    declare_not_with(cast, lea, cast.member2)
    with pytest.raises(Conflict, match="Lea Late and Max Member cannot share a group."):
        membership_add(group=cast.group, user=lea, acting_user=cast.admin)
    # Placement suggests only the group she may join, and refuses the other.
    suggested = [p.group for p in placement_suggestions(program=cast.program, user=lea)]
    assert suggested == [cast.other_group]
    with pytest.raises(Conflict, match="cannot share a group"):
        placement_apply(
            program=cast.program, group_id=cast.group.pk, user=lea, acting_user=cast.admin
        )
    cast.group.refresh_from_db()
    assert cast.group.member_count == 2
    assert not GroupMembership.objects.filter(user=lea).exists()
    placement_apply(
        program=cast.program, group_id=cast.other_group.pk, user=lea, acting_user=cast.admin
    )
    assert GroupMembership.objects.get(user=lea).group == cast.other_group


@pytest.mark.django_db
def test_a_conflict_arising_after_publish_moves_nobody_and_is_listed(cast):
    assert group_conflicts(organization=cast.organization) == []
    declare_not_with(cast, cast.member2, cast.member)
    (found,) = group_conflicts(organization=cast.organization)
    assert found.group_id == cast.group.pk
    assert found.names == ("Max Member", "Mia Member")
    assert found.sentence == (
        "Two members of Group A can no longer share a group: Max Member and Mia Member."
    )
    assert GroupMembership.objects.filter(group=cast.group).count() == 2  # nobody moved
    # A closed group is no longer a concern; nor is another organization's.
    assert group_conflicts(organization=cast.other_organization) == []


@pytest.mark.django_db
def test_board_flags_the_pair_to_admins_only_and_clears_when_one_moves(client, cast):
    reports_to(cast, cast.member2, cast.member)  # a new reporting line after publish
    client.force_login(cast.admin)
    url = reverse("dashboards-board", kwargs={"org_slug": "acme"})
    page = client.get(url).content.decode()
    assert "1 group has members who can no longer share a group" in page
    assert "Two members of Group A can no longer share a group: Max Member and Mia Member." in page
    assert "reporting line" not in page
    assert "No group needs attention" not in page
    rows = {row.group.name: row for row in client.get(url).context["board"].rows}
    assert CONFLICT in rows["Group A"].flags and CONFLICT not in rows["Group B"].flags
    flagged = client.get(url, {"flag": CONFLICT}).context["board"]
    assert [row.group.name for row in flagged.rows] == ["Group A"]

    # The facilitator's board shows their group, never the pair.
    facilitator_board = board_for_user(
        user=cast.facilitator, access=organization_access(cast.facilitator, "acme")
    )
    assert facilitator_board.conflicts == []
    assert all(CONFLICT not in row.flags for row in facilitator_board.rows)

    services.membership_move(
        access=admin_access(cast),
        acting_user=cast.admin,
        group=cast.group,
        user_id=cast.member2.pk,
        to_group_id=cast.other_group.pk,
    )
    page = client.get(url).content.decode()
    assert "Two members of" not in page and "1 group has members" not in page


@pytest.mark.django_db
def test_the_flag_clears_when_one_of_the_two_leaves(cast):
    declare_not_with(cast, cast.member, cast.member2)
    assert len(group_conflicts(organization=cast.organization)) == 1
    services.membership_withdraw(
        access=admin_access(cast), acting_user=cast.admin, group=cast.group, user_id=cast.member.pk
    )
    assert group_conflicts(organization=cast.organization) == []


@pytest.mark.django_db
def test_the_api_move_asks_the_same_rule_and_lists_the_pairs_flagged(client, cast):
    from peergroups.api.services import token_create

    _, key = token_create(user=cast.admin, name="ops")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    declare_not_with(cast, cast.other_member, cast.member)
    moved = client.post(
        f"/api/organizations/acme/groups/{cast.group.pk}/moves",
        {"user_id": cast.member.pk, "to_group_id": cast.other_group.pk},
        content_type="application/json",
        **auth,
    )
    assert moved.status_code == 409
    assert moved.json()["detail"] == "Mia Member and Oli Member cannot share a group."
    assert GroupMembership.objects.get(user=cast.member).group == cast.group

    assert client.get("/api/organizations/acme/group-conflicts", **auth).json()["items"] == []
    declare_not_with(cast, cast.member, cast.member2)  # after publish: nobody moves
    (flag,) = client.get("/api/organizations/acme/group-conflicts", **auth).json()["items"]
    assert flag["group_id"] == cast.group.pk
    assert flag["names"] == ["Max Member", "Mia Member"]
    assert "declared" not in flag["sentence"]
    moved = client.post(
        f"/api/organizations/acme/groups/{cast.group.pk}/moves",
        {"user_id": cast.member2.pk, "to_group_id": cast.other_group.pk, "reason": "Asked"},
        content_type="application/json",
        **auth,
    )
    assert moved.status_code == 201
    assert client.get("/api/organizations/acme/group-conflicts", **auth).json()["items"] == []
