"""`group_for_user` reads its group in one fixed statement (`peergroups.statements`): the
same group, program, facilitator and viewer facts the ORM reads, for every viewer, with
and without a facilitator or a completed intake, on both databases."""

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Subquery
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peergroups.errors import NotFound, Refused
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.groups.selectors import group_for_user, group_role
from peergroups.organizations.access import organization_access
from peergroups.people.models import MemberProfile


def values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def orm_read(group_id: int, viewer_id: int) -> PeerGroup:
    """The same read through the ORM, as group_for_user made it before."""
    return (
        PeerGroup.objects.select_related("program", "facilitator")
        .annotate(
            viewer_is_member=Exists(
                GroupMembership.objects.filter(group=OuterRef("pk"), user_id=viewer_id)
            ),
            viewer_zone=Subquery(
                MemberProfile.objects.filter(
                    organization=OuterRef("organization"),
                    user_id=viewer_id,
                    completed_at__isnull=False,
                ).values("time_zone")[:1]
            ),
        )
        .get(pk=group_id)
    )


def test_the_statement_reads_what_the_orm_reads_for_every_viewer(cast):
    MemberProfile.objects.filter(user=cast.member).update(
        time_zone="Europe/Berlin", completed_at=timezone.now()
    )  # one viewer with a completed intake and its zone; the others without
    PeerGroup.objects.filter(pk=cast.other_group.pk).update(facilitator=None)
    for group in (cast.group, cast.other_group):
        for viewer in (cast.admin, cast.facilitator, cast.member, cast.member2, cast.other_member):
            access = organization_access(viewer, "acme")
            try:
                read = group_for_user(user=viewer, access=access, group_id=group.pk)
            except Refused:
                assert not access.is_admin
                assert group_role(user=viewer, group=orm_read(group.pk, viewer.pk)) is None
                continue
            expected = orm_read(group.pk, viewer.pk)
            assert values(read) == values(expected)
            assert values(read.program) == values(expected.program)
            if expected.facilitator is None:
                assert read.facilitator is None
            else:
                assert values(read.facilitator) == values(expected.facilitator)
            assert read.viewer_is_member is expected.viewer_is_member
            assert read.viewer_zone == expected.viewer_zone
            assert read.organization is access.organization


def test_the_group_comes_with_its_program_and_facilitator_in_one_query(cast):
    access = organization_access(cast.member, "acme")
    with CaptureQueriesContext(connection) as captured:
        group = group_for_user(user=cast.member, access=access, group_id=cast.group.pk)
        assert (group.program.name, group.facilitator.full_name, group.organization.slug) == (
            "Leaders 2027",
            "Fran Facilitator",
            "acme",
        )
        assert group_role(user=cast.member, group=group) == "member"
    assert len(captured) == 1


@pytest.mark.parametrize("group_id", [0, -1, 10**9, 2**63, 2**70])
def test_unknown_and_oversized_ids_are_not_found(cast, group_id):
    access = organization_access(cast.admin, "acme")
    with pytest.raises(NotFound):
        group_for_user(user=cast.admin, access=access, group_id=group_id)


def test_another_organizations_group_is_not_found(cast):
    access = organization_access(cast.outsider, "globex")
    with pytest.raises(NotFound):
        group_for_user(user=cast.outsider, access=access, group_id=cast.group.pk)
