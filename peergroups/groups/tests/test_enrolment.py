"""Enrolment in a program over time (`program_enrol`, `program_leave`): one program at a
time, only people of the organization, and leaving a program leaves its group."""

import pytest

from peergroups.errors import Conflict, NotFound, Refused
from peergroups.groups.models import GroupMembership, MembershipChange, MembershipChangeKind
from peergroups.groups.services import program_create, program_enrol, program_leave
from peergroups.organizations.access import organization_access
from peergroups.people.models import MemberProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_access(cast):
    return organization_access(cast.admin, "acme")


def test_one_program_at_a_time(cast, admin_access):
    other = program_create(organization=cast.organization, acting_user=cast.admin, name="Next")
    with pytest.raises(Conflict, match="one program at a time"):
        program_enrol(access=admin_access, acting_user=cast.admin, program=other, user=cast.member)
    # Enrolling where they are already changes nothing and says nothing.
    program_enrol(
        access=admin_access, acting_user=cast.admin, program=cast.program, user=cast.member
    )


def test_leaving_withdraws_from_the_programs_open_group(cast, admin_access):
    assert GroupMembership.objects.filter(user=cast.member, group=cast.group).exists()
    seats = cast.group.member_count
    program_leave(
        access=admin_access, acting_user=cast.admin, program=cast.program, user=cast.member
    )
    cast.group.refresh_from_db()
    assert cast.group.member_count == seats - 1
    assert not GroupMembership.objects.filter(user=cast.member, group=cast.group).exists()
    change = MembershipChange.objects.get(user=cast.member)
    assert change.kind == MembershipChangeKind.REMOVED and change.from_group == cast.group
    profile = MemberProfile.objects.get(organization=cast.organization, user=cast.member)
    assert profile.program is None
    # Now free to join another.
    other = program_create(organization=cast.organization, acting_user=cast.admin, name="Next")
    program_enrol(access=admin_access, acting_user=cast.admin, program=other, user=cast.member)
    profile.refresh_from_db()
    assert profile.program == other


def test_only_admins_and_only_people_and_programs_of_the_organization(cast, admin_access):
    with pytest.raises(NotFound):
        program_enrol(
            access=admin_access, acting_user=cast.admin, program=cast.program, user=cast.outsider
        )
    globex = program_create(
        organization=cast.other_organization, acting_user=cast.outsider, name="Globex"
    )
    with pytest.raises(NotFound):
        program_leave(access=admin_access, acting_user=cast.admin, program=globex, user=cast.member)
    member_access = organization_access(cast.member, "acme")
    with pytest.raises(Refused):
        program_leave(
            access=member_access, acting_user=cast.member, program=cast.program, user=cast.member2
        )
