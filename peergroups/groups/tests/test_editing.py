"""Editing groups after publish: each service's rules, its audit row, and the pages."""

import pytest
from django.urls import reverse

from peergroups.audit.models import AuditEntry
from peergroups.dashboards.persons import person_deactivate
from peergroups.errors import Conflict, Invalid, NotFound, Refused
from peergroups.groups import services
from peergroups.groups.models import GroupMembership, MembershipChange, PeerGroup
from peergroups.groups.seats import GroupFull
from peergroups.groups.services import group_create
from peergroups.meetings import services as meetings
from peergroups.meetings.models import Issue
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import OrganizationRole
from peergroups.people.models import FacilitatorProfile


def admin_access(cast):
    return organization_access(cast.admin, "acme")


def seats(group):
    group.refresh_from_db()
    return group.member_count


@pytest.mark.django_db
def test_admin_moves_a_member_and_the_reason_stays_with_admins(client, cast):
    change = services.membership_move(
        access=admin_access(cast),
        acting_user=cast.admin,
        group=cast.group,
        user_id=cast.member.pk,
        to_group_id=cast.other_group.pk,
        reason="Works with a direct report of Max",
    )
    assert GroupMembership.objects.get(user=cast.member).group == cast.other_group
    assert (seats(cast.group), seats(cast.other_group)) == (1, 2)
    entry = AuditEntry.objects.get(action="membership_move")
    assert entry.before == {"group": cast.group.pk}
    assert "Works with" not in str(entry.after)
    # Only the admin's member page shows the reason; the group's own page does not.
    client.force_login(cast.admin)
    person = reverse("dashboards-person", kwargs={"org_slug": "acme", "user_id": cast.member.pk})
    assert change.reason in client.get(person).content.decode()
    client.force_login(cast.other_member)
    page = client.get(
        reverse("groups-detail", kwargs={"org_slug": "acme", "group_id": cast.other_group.pk})
    )
    assert change.reason not in page.content.decode()


@pytest.mark.django_db
def test_move_into_a_full_group_is_refused_and_changes_nothing(cast):
    PeerGroup.objects.filter(pk=cast.other_group.pk).update(capacity=1)
    with pytest.raises(GroupFull, match="no open seat"):
        services.membership_move(
            access=admin_access(cast),
            acting_user=cast.admin,
            group=cast.group,
            user_id=cast.member.pk,
            to_group_id=cast.other_group.pk,
        )
    assert GroupMembership.objects.get(user=cast.member).group == cast.group
    assert seats(cast.group) == 2 and not MembershipChange.objects.exists()


@pytest.mark.django_db
def test_move_rules(cast):
    access = admin_access(cast)
    common = dict(access=access, acting_user=cast.admin, group=cast.group, user_id=cast.member.pk)
    with pytest.raises(Invalid, match="already in this group"):
        services.membership_move(**common, to_group_id=cast.group.pk)
    later = group_create(program=cast.program, name="Cycle 2", cycle=2, acting_user=cast.admin)
    with pytest.raises(Invalid, match="same program and cycle"):
        services.membership_move(**common, to_group_id=later.pk)
    with pytest.raises(NotFound):
        services.membership_move(
            **{**common, "user_id": cast.other_member.pk}, to_group_id=cast.other_group.pk
        )
    with pytest.raises(Invalid, match="to 500 characters or fewer"):
        services.membership_move(**common, to_group_id=cast.other_group.pk, reason="x" * 501)
    facilitator = organization_access(cast.facilitator, "acme")
    with pytest.raises(Refused):
        services.membership_move(
            **{**common, "access": facilitator, "acting_user": cast.facilitator},
            to_group_id=cast.other_group.pk,
        )


@pytest.mark.django_db
def test_admin_removes_a_member_and_their_issue_stays_with_the_group(cast):
    issue = meetings.issue_submit(
        group=cast.group,
        author=cast.member,
        title="Mine",
        category="hiring",
        situation="s",
        ask="a",
        urgency=2,
    )
    services.membership_withdraw(
        access=admin_access(cast), acting_user=cast.admin, group=cast.group, user_id=cast.member.pk
    )
    assert seats(cast.group) == 1
    assert Issue.objects.filter(pk=issue.pk, group=cast.group).exists()
    assert AuditEntry.objects.filter(
        action="membership_withdraw", object_id=str(cast.member.pk)
    ).exists()


@pytest.mark.django_db
def test_facilitator_change_checks_approval_and_capacity(cast):
    access = admin_access(cast)
    common = dict(access=access, acting_user=cast.admin, group=cast.group)
    with pytest.raises(Invalid, match="approved facilitator"):
        services.group_facilitator_change(**common, facilitator_id=cast.member.pk)
    FacilitatorProfile.objects.filter(user=cast.other_facilitator).update(capacity=1)
    with pytest.raises(Conflict, match="already leads 1 of the 1 group"):
        services.group_facilitator_change(**common, facilitator_id=cast.other_facilitator.pk)
    FacilitatorProfile.objects.filter(user=cast.other_facilitator).update(capacity=2)
    services.group_facilitator_change(**common, facilitator_id=cast.other_facilitator.pk)
    cast.group.refresh_from_db()
    assert cast.group.facilitator == cast.other_facilitator
    entry = AuditEntry.objects.get(action="group_facilitator_change")
    assert entry.before == {"facilitator": cast.facilitator.pk}


@pytest.mark.django_db
def test_rename_by_facilitator_and_admin_with_its_rules(cast):
    facilitator = organization_access(cast.facilitator, "acme")
    services.group_rename(
        access=facilitator,
        acting_user=cast.facilitator,
        group=cast.group,
        name="  Boston ·  Biotech ",
    )
    cast.group.refresh_from_db()
    assert cast.group.name == "Boston · Biotech"
    with pytest.raises(Conflict, match="already called"):
        services.group_rename(
            access=admin_access(cast),
            acting_user=cast.admin,
            group=cast.other_group,
            name="Boston · Biotech",
        )
    with pytest.raises(Invalid, match="to 120 characters or fewer"):
        services.group_rename(
            access=facilitator, acting_user=cast.facilitator, group=cast.group, name="x" * 121
        )
    with pytest.raises(Refused):
        services.group_rename(
            access=organization_access(cast.other_facilitator, "acme"),
            acting_user=cast.other_facilitator,
            group=cast.group,
            name="Mine now",
        )
    assert AuditEntry.objects.get(action="group_rename").after == {"name": "Boston · Biotech"}


@pytest.mark.django_db
def test_closed_group_leaves_the_board_and_takes_no_one(cast):
    access = admin_access(cast)
    services.group_close(access=access, acting_user=cast.admin, group=cast.group)
    cast.group.refresh_from_db()
    assert cast.group.is_closed and cast.group.member_count == 2
    with pytest.raises(Conflict, match="is closed"):
        services.group_close(access=access, acting_user=cast.admin, group=cast.group)
    with pytest.raises(Conflict, match="is closed"):
        services.membership_move(
            access=access,
            acting_user=cast.admin,
            group=cast.other_group,
            user_id=cast.other_member.pk,
            to_group_id=cast.group.pk,
        )
    from peergroups.dashboards.board import board_for_user

    names = [row.group.name for row in board_for_user(user=cast.admin, access=access).rows]
    assert names == ["Group B"]


@pytest.mark.django_db
def test_deactivating_a_person_frees_seats_and_keeps_their_content(client, cast):
    access = admin_access(cast)
    issue = meetings.issue_submit(
        group=cast.group,
        author=cast.member,
        title="Mine",
        category="hiring",
        situation="s",
        ask="a",
        urgency=2,
    )
    roles = person_deactivate(access=access, acting_user=cast.admin, user_id=cast.member.pk)
    assert roles == ["member"]
    assert not OrganizationRole.objects.filter(
        user=cast.member, organization=cast.organization
    ).exists()
    assert seats(cast.group) == 1
    assert Issue.objects.filter(pk=issue.pk).exists()
    # They can no longer open the organization; the admin still sees their page.
    client.force_login(cast.member)
    assert (
        client.get(reverse("organizations-dashboard", kwargs={"org_slug": "acme"})).status_code
        == 404
    )
    client.force_login(cast.admin)
    page = client.get(
        reverse("dashboards-person", kwargs={"org_slug": "acme", "user_id": cast.member.pk})
    )
    assert "Deactivated" in page.content.decode()
    with pytest.raises(NotFound):
        person_deactivate(access=access, acting_user=cast.admin, user_id=cast.member.pk)


@pytest.mark.django_db
def test_deactivating_a_facilitator_leaves_their_group_without_one(cast):
    person_deactivate(
        access=admin_access(cast), acting_user=cast.admin, user_id=cast.facilitator.pk
    )
    cast.group.refresh_from_db()
    assert cast.group.facilitator is None


@pytest.mark.django_db
def test_admin_cannot_deactivate_themselves(cast):
    with pytest.raises(Conflict, match="yourself"):
        person_deactivate(access=admin_access(cast), acting_user=cast.admin, user_id=cast.admin.pk)


def manage_url(group):
    return reverse("groups-manage", kwargs={"org_slug": "acme", "group_id": group.pk})


@pytest.mark.django_db
def test_refused_move_re_renders_the_form_with_the_reason_and_keeps_the_text(client, cast):
    PeerGroup.objects.filter(pk=cast.other_group.pk).update(capacity=1)
    client.force_login(cast.admin)
    response = client.post(
        manage_url(cast.group),
        {
            "action": "move",
            "move-user": cast.member.pk,
            "move-to_group": cast.other_group.pk,
            "move-reason": "Asked to switch",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Group B has no open seat." in page and "Asked to switch" in page


@pytest.mark.django_db
def test_manage_page_moves_and_closes(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        manage_url(cast.group),
        {"action": "move", "move-user": cast.member.pk, "move-to_group": cast.other_group.pk},
    )
    assert response.status_code == 302
    assert GroupMembership.objects.get(user=cast.member).group == cast.other_group
    response = client.post(manage_url(cast.group), {"action": "close", "close-confirm": "on"})
    assert response.status_code == 302
    assert PeerGroup.objects.get(pk=cast.group.pk).is_closed


@pytest.mark.django_db
def test_facilitator_sees_only_the_rename_form(client, cast):
    client.force_login(cast.facilitator)
    page = client.get(manage_url(cast.group)).content.decode()
    assert 'value="rename"' in page and 'value="move"' not in page
    response = client.post(manage_url(cast.group), {"action": "close", "close-confirm": "on"})
    assert response.status_code == 422
    assert not PeerGroup.objects.get(pk=cast.group.pk).is_closed


@pytest.mark.django_db
def test_a_closed_group_takes_no_late_joiner(cast):
    from peergroups.formation.placement import placement_suggestions

    services.group_close(access=admin_access(cast), acting_user=cast.admin, group=cast.group)
    with pytest.raises(Conflict, match="is closed"):
        services.membership_add(group=cast.group, user=cast.other_member, acting_user=cast.admin)
    suggested = placement_suggestions(program=cast.program, user=cast.other_member)
    assert cast.group.pk not in {s.group.pk for s in suggested}
