"""Who must never share a group, read from the intake data: the one place that decides it.

Peer groups work because members speak freely, so three kinds of pairs are kept
apart: anyone in the same reporting chain (both directions, skip levels too),
people whose company a member declared a competitor, and declared "not with" pairs.

It lives in `people` (where the intake data is) so that every path that puts people
together can ask it: a formation's snapshot and new cycles (`formation.snapshot`),
review edits and publish (`formation.edits`, `formation.publish`), late-joiner
placement and every seat taken or changed after publish (`groups.services`:
`membership_add`, `membership_move`), and the operations board's flag for a pair that
became a conflict after publish (`groups.selectors.group_conflicts`).

A "not with" declaration is private: the intake promises that only the grouping uses
it. `kept_apart_sentence` is the one wording admins see, and it never names that reason.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TypeVar

from django.utils.translation import gettext

from peergroups.accounts.models import User
from peergroups.errors import Conflict
from peergroups.organizations.models import Organization
from peergroups.people.models import MemberProfile, NotWith

REPORTING_LINE = "reporting line"
COMPETITOR = "competitors"
DECLARED = "declared not-with"

K = TypeVar("K")


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _normalise_company(name: str) -> str:
    return " ".join(name.casefold().split())


def conflict_pairs(
    *, organization: Organization | int, user_ids: Iterable[int]
) -> dict[tuple[int, int], str]:
    """Pairs (smaller user id first) among `user_ids` that must not share a group, with why."""
    wanted = set(user_ids)
    conflicts: dict[tuple[int, int], str] = {}

    # Reporting chains run through everyone in the organization, so a chain
    # A -> B -> C keeps A and C apart even when B takes no part in this program.
    manager_of = dict(
        MemberProfile.objects.filter(
            organization=organization, reports_to__isnull=False
        ).values_list("user_id", "reports_to_id")
    )
    for user_id in wanted:
        seen = {user_id}
        manager = manager_of.get(user_id)
        while manager is not None and manager not in seen:  # a cycle in the data ends the walk
            seen.add(manager)
            if manager in wanted:
                conflicts[_pair(user_id, manager)] = REPORTING_LINE
            manager = manager_of.get(manager)

    profiles = MemberProfile.objects.filter(
        organization=organization, user_id__in=wanted
    ).values_list("user_id", "company", "competitors")
    people_at: dict[str, list[int]] = defaultdict(list)
    declared: list[tuple[int, list[str]]] = []
    for user_id, company, competitors in profiles:
        if company:
            people_at[_normalise_company(company)].append(user_id)
        if competitors:
            declared.append((user_id, competitors))
    for user_id, competitors in declared:
        for company in competitors:
            for other in people_at.get(_normalise_company(company), ()):
                if other != user_id:
                    conflicts.setdefault(_pair(user_id, other), COMPETITOR)

    for user_id, other in NotWith.objects.filter(
        organization=organization, user_id__in=wanted, other_id__in=wanted
    ).values_list("user_id", "other_id"):
        conflicts.setdefault(_pair(user_id, other), DECLARED)
    return conflicts


def kept_apart_sentence(name_a: str, name_b: str, reason: str) -> str:
    """What an admin reads about a pair kept apart (a private declaration stays unnamed)."""
    names = {"first": name_a, "second": name_b}
    if reason == REPORTING_LINE:
        return gettext("%(first)s and %(second)s cannot share a group (reporting line).") % names
    if reason == COMPETITOR:
        return gettext("%(first)s and %(second)s cannot share a group (competitors).") % names
    return gettext("%(first)s and %(second)s cannot share a group.") % names


def together_check(
    *,
    organization: Organization | int,
    joining: Iterable[int],
    members: Iterable[int],
    names: dict[int, str] | None = None,
) -> None:
    """Refuse (`Conflict`) putting the `joining` people into a group with `members`.

    Pairs among the joining people count too. `names` maps user id to the name shown;
    without it the names are read. The sentence never names a private declaration.
    """
    joining = set(joining)
    everyone = joining | set(members)
    if len(everyone) < 2:
        return
    kept_apart = conflict_pairs(organization=organization, user_ids=sorted(everyone))
    clash = next((pair for pair in sorted(kept_apart) if joining & set(pair)), None)
    if clash is None:
        return
    names = dict(names or {})
    missing = set(clash) - names.keys()
    names.update((user.pk, str(user)) for user in User.objects.filter(pk__in=missing))
    first, second = clash if clash[0] in joining else clash[::-1]  # the newcomer first
    raise Conflict(kept_apart_sentence(names[first], names[second], kept_apart[clash]))


def conflicts_within(
    *, organization: Organization | int, groups: Mapping[K, Iterable[int]]
) -> list[tuple[K, int, int, str]]:
    """(group key, user id, user id, reason) for every pair that shares one of `groups`
    (key -> member ids) but may not: three queries however many groups."""
    members = {key: set(ids) for key, ids in groups.items()}
    groups_of: dict[int, list[K]] = defaultdict(list)  # one person may be in several
    for key, ids in members.items():
        for user_id in ids:
            groups_of[user_id].append(key)
    kept_apart = conflict_pairs(organization=organization, user_ids=groups_of)
    return [
        (key, a, b, reason)
        for (a, b), reason in sorted(kept_apart.items())
        for key in groups_of[a]
        if b in members[key]
    ]
