"""Accountability partners: pairs (a trio when odd), rotating away from last cycle's."""

from datetime import date
from itertools import combinations

from django.urls import reverse

from conftest import make_member
from peergroups.goals import services
from peergroups.goals.models import AccountabilityPartner
from peergroups.groups.services import membership_add
from peergroups.meetings import services as meetings


def grow(cast, n):
    """Add n members to Group A (they accept its agreement)."""
    agreement = meetings.agreement_current(group=cast.group)
    users = []
    for i in range(n):
        user = make_member(cast.organization, f"extra{i}@acme.test", f"Extra Member {i}")
        membership_add(group=cast.group, user=user, acting_user=cast.admin)
        meetings.agreement_accept(agreement=agreement, user=user)
        users.append(user)
    return users


def pairs_of(sets):
    return {frozenset(p) for s in sets for p in combinations(s, 2)}


def test_an_even_group_is_paired_and_everyone_has_one_partner(accepted):
    grow(accepted, 4)  # 6 members
    sets = services.partners_assign(group=accepted.group, cycle=1, seed=7)
    assert sorted(len(s) for s in sets) == [2, 2, 2]
    assert AccountabilityPartner.objects.filter(cycle=1).count() == 6


def test_an_odd_group_makes_one_trio(accepted):
    grow(accepted, 3)  # 5 members
    sets = services.partners_assign(group=accepted.group, cycle=1, seed=7)
    assert sorted(len(s) for s in sets) == [2, 3]


def test_the_next_cycle_avoids_last_cycles_partners(accepted):
    grow(accepted, 4)
    first = services.partners_assign(group=accepted.group, cycle=1, seed=3)
    second = services.partners_assign(group=accepted.group, cycle=2, seed=3)
    assert not pairs_of(first) & pairs_of(second)


def test_assignment_is_deterministic_for_a_seed(accepted):
    grow(accepted, 5)
    first = services.partners_assign(group=accepted.group, cycle=1, seed=11)
    again = services.partners_assign(group=accepted.group, cycle=1, seed=11)
    assert first == again
    assert AccountabilityPartner.objects.filter(cycle=1).count() == 7  # replaced, not added


def test_facilitator_rotates_partners_from_the_group_page(client, accepted):
    client.force_login(accepted.facilitator)
    url = reverse("goals-partners", args=["acme", accepted.group.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    page = client.get(reverse("goals-group", args=["acme", accepted.group.pk])).text
    assert "cycle 2" in page
    assert "Max Member · Mia Member" in page


def test_partners_see_each_others_open_commitments_on_their_dashboard(client, accepted, commit):
    services.partners_assign(group=accepted.group, cycle=1, seed=1)
    commit(date(2030, 1, 5), member=accepted.member2, text="Max plans the reorg.")
    client.force_login(accepted.member)
    page = client.get(reverse("goals-dashboard", args=["acme"])).text
    assert "accountability partner" in page
    assert "Max plans the reorg." in page
    # Nobody outside the group sees it: Group B's member gets their own dashboard only.
    client.force_login(accepted.other_member)
    assert "Max plans the reorg." not in client.get(reverse("goals-dashboard", args=["acme"])).text
    assert client.get(reverse("goals-group", args=["acme", accepted.group.pk])).status_code == 403
