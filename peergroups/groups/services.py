"""Writes on peer groups and memberships.

Capacity is guarded twice: a conditional UPDATE ... WHERE member_count < capacity
claims a seat atomically (it takes the row lock on PostgreSQL, and SQLite runs one
writer at a time), and a check constraint refuses any write that would overfill.
"""

from django.db import IntegrityError, transaction
from django.db.models import F

from peergroups.accounts.models import User
from peergroups.errors import Conflict
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.organizations.models import Program
from peergroups.organizations.services import audit


class GroupFull(Conflict):
    """The group has no open seat."""


class AlreadyGrouped(Conflict):
    """The person already belongs to a group of this program and cycle."""


def group_create(
    *,
    program: Program,
    name: str,
    acting_user: User | None,
    capacity: int | None = None,
    facilitator: User | None = None,
    cycle: int = 1,
    time_zone: str = "UTC",
) -> PeerGroup:
    group = PeerGroup(
        organization=program.organization,
        program=program,
        name=name,
        cycle=cycle,
        capacity=capacity or program.max_group_size,
        facilitator=facilitator,
        time_zone=time_zone,
    )
    group.full_clean()
    group.save()
    audit(
        organization=program.organization,
        acting_user=acting_user,
        action="group_create",
        group_id=group.pk,
    )
    return group


@transaction.atomic
def membership_add(*, group: PeerGroup, user: User, acting_user: User | None) -> GroupMembership:
    claimed = PeerGroup.objects.filter(pk=group.pk, member_count__lt=F("capacity")).update(
        member_count=F("member_count") + 1
    )
    if not claimed:
        raise GroupFull(f"{group.name} has no open seat.")
    try:
        with transaction.atomic():
            membership = GroupMembership.objects.create(
                group=group, program_id=group.program_id, cycle=group.cycle, user=user
            )
    except IntegrityError:
        raise AlreadyGrouped(f"{user} already belongs to a group in this program.") from None
    audit(
        organization=group.organization,
        acting_user=acting_user,
        action="membership_add",
        group_id=group.pk,
        user_id=user.pk,
    )
    return membership


@transaction.atomic
def membership_remove(*, group: PeerGroup, user: User, acting_user: User | None) -> None:
    deleted, _ = GroupMembership.objects.filter(group=group, user=user).delete()
    if deleted:
        PeerGroup.objects.filter(pk=group.pk).update(member_count=F("member_count") - 1)
        audit(
            organization=group.organization,
            acting_user=acting_user,
            action="membership_remove",
            group_id=group.pk,
            user_id=user.pk,
        )
