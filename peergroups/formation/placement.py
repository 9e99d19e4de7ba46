"""Late joiners: the groups of the current cycle they fit best, and placing them in one."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext, ngettext

from peergroups.accounts.models import User
from peergroups.errors import Conflict, Invalid
from peergroups.formation import scoring
from peergroups.formation.criteria import (
    SEGMENT_BY_BASIS,
    measures,
    profile_attributes,
    program_criteria,
)
from peergroups.formation.selectors import require_admin
from peergroups.formation.snapshot import current_cycle
from peergroups.groups.models import PeerGroup
from peergroups.groups.seats import GroupClosed, GroupFull, with_open_seat
from peergroups.groups.services import AlreadyGrouped, membership_add
from peergroups.organizations.models import Program
from peergroups.people.conflicts import conflict_pairs
from peergroups.people.models import MemberProfile


@dataclass(frozen=True)
class Placement:
    group: PeerGroup
    fit: float  # mean affinity to the group's members under the program's criteria
    reason: str


def placement_suggestions(*, program: Program, user: User) -> list[Placement]:
    """Groups of the current cycle with an open seat and no conflict, best fit first."""
    groups = list(
        with_open_seat(PeerGroup.objects.filter(program=program, cycle=current_cycle(program)))
        .select_related("facilitator")
        .prefetch_related("memberships")
        .order_by("name")
    )
    if not groups:
        return []
    member_ids = {g.pk: [m.user_id for m in g.memberships.all()] for g in groups}
    everyone = [user.pk, *{u for ids in member_ids.values() for u in ids}]
    kept_apart = conflict_pairs(organization=program.organization, user_ids=everyone)
    attributes = {
        p.user_id: profile_attributes(p)
        for p in MemberProfile.objects.filter(
            organization=program.organization, user_id__in=everyone
        )
    }
    if user.pk not in attributes:
        return []
    criteria = measures(program_criteria(program))
    spans = scoring.number_spans(attributes.values(), criteria)
    segment = SEGMENT_BY_BASIS.get(program.grouping_basis)
    mine = attributes[user.pk]
    suggestions = []
    for group in groups:
        if any((min(user.pk, u), max(user.pk, u)) in kept_apart for u in member_ids[group.pk]):
            continue
        peers = [attributes[u] for u in member_ids[group.pk] if u in attributes]
        if segment and any(peer[segment] != mine[segment] for peer in peers):
            continue
        fit = (
            sum(scoring.pair_affinity(mine, peer, criteria, spans) for peer in peers) / len(peers)
            if peers
            else 0.0
        )
        suggestions.append(
            Placement(
                group=group,
                fit=fit,
                reason=ngettext("%(count)s open seat", "%(count)s open seats", group.open_seats)
                % {"count": group.open_seats},
            )
        )
    return sorted(suggestions, key=lambda p: (-p.fit, p.group.name))


@transaction.atomic
def placement_apply(
    *, program: Program, group_id: int | None, user: User, acting_user: User | None
) -> PeerGroup:
    """Place a late joiner; the group row lock serialises placements into one group."""
    require_admin(acting_user, program.organization)
    group = PeerGroup.objects.select_for_update().filter(program=program, pk=group_id).first()
    if group is None:
        raise Invalid(gettext("Choose one of the suggested groups."), field="group_id")
    try:  # membership_add asks the conflict rule (people.conflicts) under the seat's lock
        membership_add(group=group, user=user, acting_user=acting_user)
    except (GroupFull, GroupClosed, AlreadyGrouped) as error:
        raise Conflict(str(error)) from None
    return group
