"""The demo's groups: one per region, formed by hand so the pages have content from the
start, keeping every conflict apart as the grouping engine would.

Seats go through `membership_add` so the capacity bookkeeping stays true.
"""

import random

from peergroups.accounts.models import User
from peergroups.demo.data import REGIONS
from peergroups.demo.people import MEMBER_EMAIL, Person
from peergroups.groups.services import group_create, membership_add
from peergroups.organizations.models import Program
from peergroups.people.models import FacilitatorProfile, MemberProfile, NotWith

# (region, group name, members)
GROUPS = [
    ("Boston", "Boston Circle", 8),
    ("Chicago", "Chicago Circle", 9),
    ("Denver", "Denver Circle", 7),
    ("Seattle", "Seattle Circle", 8),
]


def _conflicts(person: Person, other: Person, not_with: set[tuple[int, int]], chain) -> bool:
    a, b = person.profile, other.profile
    return (
        a.company == b.company  # colleagues do not speak freely in front of each other
        or b.user.pk in chain(a)
        or a.user.pk in chain(b)
        or a.company in b.competitors
        or b.company in a.competitors
        or (a.user.pk, b.user.pk) in not_with
        or (b.user.pk, a.user.pk) in not_with
    )


def seed_groups(
    *,
    rng: random.Random,
    program: Program,
    admin: User,
    people: list[Person],
    facilitators: list[FacilitatorProfile],
) -> list:
    """Form the demo groups; the demo member sits in the Boston group."""
    by_user = {person.user.pk: person for person in people}
    not_with = set(
        NotWith.objects.filter(organization=program.organization).values_list("user_id", "other_id")
    )

    def chain(profile: MemberProfile) -> set[int]:
        above, manager = set(), profile.reports_to_id
        while manager and manager not in above:
            above.add(manager)
            manager = by_user[manager].profile.reports_to_id if manager in by_user else None
        return above

    groups = []
    for region, name, size in GROUPS:
        candidates = [p for p in people if p.profile.region == region and p.profile.completed_at]
        rng.shuffle(candidates)
        candidates.sort(key=lambda p: p.user.email != MEMBER_EMAIL)  # the demo member first
        chosen: list[Person] = []
        for candidate in candidates:
            if len(chosen) == size:
                break
            if not any(_conflicts(candidate, other, not_with, chain) for other in chosen):
                chosen.append(candidate)
        facilitator = next(f for f in facilitators if f.regions_served == [region])
        group = group_create(
            program=program,
            name=name,
            acting_user=admin,
            facilitator=facilitator.user,
            time_zone=REGIONS[region],
        )
        for person in chosen:
            membership_add(group=group, user=person.user, acting_user=admin)
        groups.append(group)
    return groups
