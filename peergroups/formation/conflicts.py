"""Who must never share a group, read from the intake data: the one place that decides it.

Peer groups work because members speak freely, so three kinds of pairs are kept
apart: anyone in the same reporting chain (both directions, skip levels too),
people whose company a member declared a competitor, and declared "not with" pairs.
Formation, late-joiner placement and the demo all ask `conflict_pairs`.

A "not with" declaration is private: the intake promises that only the grouping uses
it. `kept_apart_sentence` is the one wording admins see, and it never names that reason.
"""

from collections import defaultdict
from itertools import combinations

from peergroups.groups.models import GroupMembership
from peergroups.organizations.models import Organization, Program
from peergroups.people.models import MemberProfile, NotWith

REPORTING_LINE = "reporting line"
COMPETITOR = "competitors"
DECLARED = "declared not-with"


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _normalise_company(name: str) -> str:
    return " ".join(name.casefold().split())


def conflict_pairs(
    *, organization: Organization, user_ids: list[int]
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
    if reason in (REPORTING_LINE, COMPETITOR):
        return f"{name_a} and {name_b} cannot share a group ({reason})."
    return f"{name_a} and {name_b} cannot share a group."


def pair_history(
    *, program: Program, user_ids: list[int], before_cycle: int
) -> list[tuple[int, int]]:
    """Pairs among `user_ids` that shared a group in an earlier cycle, once per cycle shared."""
    wanted = set(user_ids)
    members_of: dict[int, list[int]] = defaultdict(list)
    for group_id, user_id in GroupMembership.objects.filter(
        program=program, cycle__lt=before_cycle, user_id__in=wanted
    ).values_list("group_id", "user_id"):
        members_of[group_id].append(user_id)
    history = []
    for members in members_of.values():
        history.extend(_pair(a, b) for a, b in combinations(sorted(members), 2))
    return history
