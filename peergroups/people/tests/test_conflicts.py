"""Conflicts come from reporting lines, declared competitors and not-with declarations."""

from conftest import make_member
from peergroups.formation.snapshot import pair_history
from peergroups.groups.services import group_create, membership_add
from peergroups.people.conflicts import (
    COMPETITOR,
    DECLARED,
    REPORTING_LINE,
    conflict_pairs,
)
from peergroups.people.models import MemberProfile, NotWith
from peergroups.people.services import member_profile_ensure


def people(cast, *names):
    users = [make_member(cast.organization, f"{name}@acme.test", name.title()) for name in names]
    for user in users:
        member_profile_ensure(organization=cast.organization, user=user, program=cast.program)
    return users


def reports(cast, user, manager):
    MemberProfile.objects.filter(organization=cast.organization, user=user).update(
        reports_to=manager
    )


def pair(a, b):
    return tuple(sorted((a.pk, b.pk)))


def test_reporting_chain_conflicts_skip_levels_and_absent_middle_managers(cast):
    ceo, vp, director, analyst, peer = people(cast, "ceo", "vp", "director", "analyst", "peer")
    reports(cast, vp, ceo)
    reports(cast, director, vp)
    reports(cast, analyst, director)
    # The VP does not take part: the chain still runs through them.
    taking_part = [ceo.pk, director.pk, analyst.pk, peer.pk]
    conflicts = conflict_pairs(organization=cast.organization, user_ids=taking_part)
    assert conflicts == {
        pair(ceo, director): REPORTING_LINE,
        pair(ceo, analyst): REPORTING_LINE,
        pair(director, analyst): REPORTING_LINE,
    }


def test_a_cycle_in_reporting_data_does_not_hang(cast):
    a, b = people(cast, "alpha", "beta")
    reports(cast, a, b)
    reports(cast, b, a)
    assert conflict_pairs(organization=cast.organization, user_ids=[a.pk, b.pk]) == {
        pair(a, b): REPORTING_LINE
    }


def test_declared_competitor_company_matches_loosely_and_both_ways(cast):
    buyer, rival1, rival2, other = people(cast, "buyer", "rival1", "rival2", "other")
    MemberProfile.objects.filter(user=buyer).update(company="Acme", competitors=["  globex  CORP"])
    MemberProfile.objects.filter(user__in=[rival1, rival2]).update(company="Globex Corp")
    MemberProfile.objects.filter(user=other).update(company="Initech")
    conflicts = conflict_pairs(
        organization=cast.organization, user_ids=[buyer.pk, rival1.pk, rival2.pk, other.pk]
    )
    assert conflicts == {pair(buyer, rival1): COMPETITOR, pair(buyer, rival2): COMPETITOR}


def test_not_with_declarations_count_only_among_the_people_asked_about(cast):
    a, b, c = people(cast, "anna", "bert", "carl")
    NotWith.objects.create(organization=cast.organization, user=a, other=b)
    NotWith.objects.create(organization=cast.organization, user=a, other=c)
    assert conflict_pairs(organization=cast.organization, user_ids=[a.pk, b.pk]) == {
        pair(a, b): DECLARED
    }


def test_pair_history_lists_who_met_in_earlier_cycles(cast):
    a, b, c, d = people(cast, "ann", "ben", "cid", "dee")
    first = group_create(program=cast.program, name="Old 1", acting_user=None, cycle=1)
    for user in (a, b, c):
        membership_add(group=first, user=user, acting_user=None)
    second = group_create(program=cast.program, name="New 1", acting_user=None, cycle=2)
    membership_add(group=second, user=a, acting_user=None)
    history = pair_history(program=cast.program, user_ids=[a.pk, b.pk, d.pk], before_cycle=2)
    assert history == [pair(a, b)]
