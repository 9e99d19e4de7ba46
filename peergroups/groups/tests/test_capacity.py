"""A group never exceeds its capacity, even when many people join at once."""

from functools import partial

import pytest
from django.db import IntegrityError, connection, transaction

from conftest import make_member, race
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.groups.seats import GroupFull
from peergroups.groups.services import (
    AlreadyGrouped,
    group_create,
    membership_add,
    membership_remove,
)


def test_join_beyond_capacity_is_refused(cast):
    group = group_create(program=cast.program, name="Tiny", capacity=2, acting_user=cast.admin)
    membership_add(
        group=group, user=make_member(cast.organization, "a@acme.test", "A"), acting_user=cast.admin
    )
    membership_add(
        group=group, user=make_member(cast.organization, "b@acme.test", "B"), acting_user=cast.admin
    )
    with pytest.raises(GroupFull):
        membership_add(
            group=group,
            user=make_member(cast.organization, "c@acme.test", "C"),
            acting_user=cast.admin,
        )
    group.refresh_from_db()
    assert group.member_count == 2 == group.memberships.count()


def test_person_joins_one_group_per_program_and_the_seat_is_given_back(cast):
    with pytest.raises(AlreadyGrouped):
        membership_add(group=cast.other_group, user=cast.member, acting_user=cast.admin)
    cast.other_group.refresh_from_db()
    assert cast.other_group.member_count == 1  # the failed join released its seat


def test_leaving_frees_a_seat(cast):
    membership_remove(group=cast.group, user=cast.member, acting_user=cast.admin)
    cast.group.refresh_from_db()
    assert cast.group.member_count == 1 == cast.group.memberships.count()


def test_database_refuses_an_overfull_count(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        PeerGroup.objects.filter(pk=cast.group.pk).update(member_count=11)


def test_database_refuses_a_group_larger_than_ten(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        PeerGroup.objects.filter(pk=cast.group.pk).update(capacity=11)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_joins_fill_exactly_the_open_seats(cast):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent joins are tested on PostgreSQL (SQLite runs one writer at a time)")
    group = group_create(program=cast.program, name="Popular", capacity=3, acting_user=cast.admin)
    joiners = [make_member(cast.organization, f"joiner{i}@acme.test", f"J {i}") for i in range(50)]
    outcomes = race(
        *(partial(membership_add, group=group, user=user, acting_user=None) for user in joiners)
    )
    joined = [o for o in outcomes if isinstance(o, GroupMembership)]
    full = [o for o in outcomes if isinstance(o, GroupFull)]

    assert len(joined) == 3
    assert len(full) == 47
    group.refresh_from_db()
    assert group.member_count == 3
    assert GroupMembership.objects.filter(group=group).count() == 3
