"""A group's seats: one claim and one release, for every path that changes who is in a group.

`PeerGroup.member_count` is written here and nowhere else (joins, moves, withdrawals,
deactivations, late-joiner placement, publish). The claim is one conditional UPDATE
that also requires an open group, so the capacity and the closed state are read under
the row lock the UPDATE takes (PostgreSQL re-reads a row it waited for; SQLite runs
one writer at a time), and a check constraint refuses any write that would overfill.
"""

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext

from peergroups.errors import Conflict, NotFound
from peergroups.groups.models import PeerGroup

# A group that takes one more member: open, with a free seat. The claim's condition,
# and what the late-joiner suggestions list.
OPEN_SEAT = Q(closed_at__isnull=True, member_count__lt=F("capacity"))


class GroupFull(Conflict):
    """The group has no open seat."""


class GroupClosed(Conflict):
    """The group is closed: it keeps its roster and takes no one new."""


def with_open_seat(groups: QuerySet[PeerGroup]) -> QuerySet[PeerGroup]:
    """The groups of `groups` that would take one more member now."""
    return groups.filter(OPEN_SEAT)


def seat_claim(*, group: PeerGroup) -> None:
    """Take one seat of an open group, or refuse (`GroupClosed`, `GroupFull`).

    Call it inside the transaction that adds the membership: the claim holds the group's
    row until it commits, so no one joins beside the caller's own checks.
    """
    if with_open_seat(PeerGroup.objects.filter(pk=group.pk)).update(
        member_count=F("member_count") + 1
    ):
        return
    state = list(PeerGroup.objects.filter(pk=group.pk).values_list("closed_at", flat=True))
    if not state:
        raise NotFound(gettext("No such group."))
    if state[0] is not None:
        raise GroupClosed(f"{group.name} is closed.")
    raise GroupFull(f"{group.name} has no open seat.")


def seat_release(*, group_id: int) -> None:
    """Give back one seat (a member left, moved or was deactivated)."""
    PeerGroup.objects.filter(pk=group_id).update(member_count=F("member_count") - 1)


def seats_of_new_group(*, name: str, members: int, capacity: int) -> int:
    """The seats a group starts with taken (one per member), refused beyond its capacity."""
    if members > capacity:
        raise GroupFull(f"{name} would have {members} members; it has {capacity} seats.")
    return members
