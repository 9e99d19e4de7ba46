"""The demo organization: realistic counts, every invariant kept, logins that work."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count

from peergroups.accounts.models import User
from peergroups.audit.models import AuditEntry
from peergroups.demo.seed import DEMO_PASSWORD, LOGINS, MEMBER_EMAIL, SLUG
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.organizations.models import Organization, OrganizationRole, Role
from peergroups.people.models import (
    Category,
    CategoryKind,
    FacilitatorProfile,
    FacilitatorStatus,
    MemberProfile,
    NotWith,
)


@pytest.fixture
def demo(db, capsys):
    call_command("seed_demo")
    return Organization.objects.get(slug=SLUG), capsys.readouterr().out


def test_seed_demo_builds_a_realistic_organization(demo):
    organization, _out = demo
    profiles = MemberProfile.objects.filter(organization=organization)
    assert 130 <= profiles.count() <= 170
    complete = profiles.filter(completed_at__isnull=False).count()
    assert 0.8 <= complete / profiles.count() <= 0.97
    assert profiles.values("region").distinct().count() == 5
    assert profiles.values("industry").distinct().count() == 6
    assert profiles.exclude(reports_to=None).count() >= 10
    assert sum(1 for profile in profiles if profile.competitors) >= 10
    assert NotWith.objects.filter(organization=organization).exists()
    members = OrganizationRole.objects.filter(organization=organization, role=Role.MEMBER)
    assert members.count() == profiles.count()
    assert OrganizationRole.objects.filter(organization=organization, role=Role.ADMIN).count() == 1


def test_seed_demo_has_a_pick_list_of_each_kind_holding_every_value_in_use(demo):
    organization, _out = demo
    profiles = MemberProfile.objects.filter(organization=organization)
    for kind in CategoryKind.values:
        listed = set(
            Category.objects.filter(organization=organization, kind=kind).values_list(
                "label", flat=True
            )
        )
        assert listed, kind
        in_use = set(profiles.exclude(**{kind: ""}).values_list(kind, flat=True))
        assert in_use and in_use <= listed, kind


def test_seed_demo_facilitators_some_pending_one_unqualified(demo):
    organization, _out = demo
    facilitators = FacilitatorProfile.objects.filter(organization=organization)
    assert facilitators.count() == 15
    approved = facilitators.filter(status=FacilitatorStatus.APPROVED)
    pending = facilitators.filter(status=FacilitatorStatus.PENDING)
    assert approved.count() >= 10 and pending.count() >= 3
    assert all(not profile.qualification_gaps() for profile in approved)
    assert [bool(profile.qualification_gaps()) for profile in pending].count(True) == 1
    holders = set(
        OrganizationRole.objects.filter(
            organization=organization, role=Role.FACILITATOR
        ).values_list("user_id", flat=True)
    )
    assert holders == {profile.user_id for profile in approved}


def test_seed_demo_groups_keep_capacity_and_conflicts_apart(demo):
    organization, _out = demo
    groups = PeerGroup.objects.filter(organization=organization).annotate(
        seats=Count("memberships")
    )
    assert groups.count() >= 3
    approved = set(
        FacilitatorProfile.objects.filter(
            organization=organization, status=FacilitatorStatus.APPROVED
        ).values_list("user_id", flat=True)
    )
    profiles = {
        profile.user_id: profile
        for profile in MemberProfile.objects.filter(organization=organization)
    }
    not_with = set(NotWith.objects.values_list("user_id", "other_id"))

    def line(user_id: int) -> set[int]:
        above, manager = set(), profiles[user_id].reports_to_id
        while manager and manager not in above:
            above.add(manager)
            manager = profiles[manager].reports_to_id
        return above

    for group in groups:
        assert group.member_count == group.seats <= group.capacity <= 10
        assert group.member_count >= 6
        assert group.facilitator_id in approved
        members = list(
            GroupMembership.objects.filter(group=group).values_list("user_id", flat=True)
        )
        assert len({profiles[m].region for m in members}) == 1
        for a in members:
            for b in members:
                if a == b:
                    continue
                assert b not in line(a), "two people in one reporting line"
                assert profiles[a].company not in profiles[b].competitors, "competitors"
                assert (a, b) not in not_with


def test_seed_demo_logins_authenticate_and_are_printed(demo):
    _organization, out = demo
    assert "Demo logins" in out and "http://127.0.0.1:8000" in out
    for login in LOGINS:
        assert login.email in out
        assert authenticate(username=login.email, password=DEMO_PASSWORD) is not None
    member = User.objects.get(email=MEMBER_EMAIL)
    assert GroupMembership.objects.filter(user=member).exists()
    # Everyone else would be invited: no usable password to guess.
    usable = [user for user in User.objects.all() if user.has_usable_password()]
    assert len(usable) == len(LOGINS)


def test_seed_demo_if_empty_changes_nothing_the_second_time(demo, capsys):
    def counts():
        return (
            User.objects.count(),
            MemberProfile.objects.count(),
            GroupMembership.objects.count(),
            AuditEntry.objects.count(),
        )

    before = counts()
    call_command("seed_demo", "--if-empty")
    assert counts() == before
    assert "Demo logins" in capsys.readouterr().out


def test_seed_demo_is_deterministic(demo):
    organization, _out = demo
    first = sorted(
        MemberProfile.objects.filter(organization=organization).values_list(
            "user__email", "company", "region", "reports_to__email"
        ),
        key=str,
    )
    organization.delete()
    User.objects.all().delete()
    call_command("seed_demo")
    second = sorted(
        MemberProfile.objects.values_list("user__email", "company", "region", "reports_to__email"),
        key=str,
    )
    assert first == second


def test_seed_demo_groups_have_meetings_issues_and_goals(demo, client):
    from django.urls import reverse

    from peergroups.goals.models import KeyGoal
    from peergroups.meetings.models import Issue, Meeting

    organization, _out = demo
    for group in PeerGroup.objects.filter(organization=organization):
        assert Meeting.objects.filter(group=group).count() >= 6
        # Three in the queue, twelve processed over the year of history.
        assert Issue.objects.filter(group=group).exclude(status="processed").count() == 3
        assert KeyGoal.objects.filter(group=group).count() == 3
    # The demo member meets the confidentiality gate first, then sees the queue.
    member = User.objects.get(email=MEMBER_EMAIL)
    group = GroupMembership.objects.get(user=member).group
    client.force_login(member)
    queue = reverse("meetings-issues", args=[organization.slug, group.pk])
    response = client.get(queue)
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("meetings-agreement", args=[organization.slug, group.pk])
    )


def test_seed_demo_has_a_year_of_history_on_the_board(demo):
    from peergroups.dashboards.board import board_for_user
    from peergroups.demo.seed import ADMIN_EMAIL
    from peergroups.goals.models import CommitmentCheckIn, GoalUpdate
    from peergroups.meetings.models import Issue, IssueStatus, Meeting
    from peergroups.organizations.access import organization_access

    organization, _out = demo
    admin = User.objects.get(email=ADMIN_EMAIL)
    board = board_for_user(user=admin, access=organization_access(admin, organization.slug))
    assert board.rows and all(len(row.attendance) == 3 for row in board.rows)
    assert all(row.last_meeting and row.next_meeting for row in board.rows)
    groups = PeerGroup.objects.filter(organization=organization).count()
    assert (
        Meeting.objects.filter(group__organization=organization, closed_at__isnull=False).count()
        == 12 * groups
    )
    assert (
        Issue.objects.filter(group__organization=organization, status=IssueStatus.PROCESSED).count()
        >= 12 * groups
    )
    assert CommitmentCheckIn.objects.filter(commitment__group__organization=organization).exists()
    assert GoalUpdate.objects.filter(goal__organization=organization).count() >= 12
