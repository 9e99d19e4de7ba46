"""Late joiners and facilitator matching."""

from functools import partial

import pytest
from django.db import connection
from django.urls import reverse

from conftest import race
from peergroups.errors import Conflict
from peergroups.formation.facilitators import facilitators_assign
from peergroups.formation.services import placement_apply, placement_suggestions
from peergroups.formation.snapshot import FacilitatorOption
from peergroups.formation.tests.conftest import add_member
from peergroups.groups.models import GroupMembership
from peergroups.groups.services import group_create
from peergroups.people.models import MemberProfile, NotWith


def test_suggestions_skip_full_groups_and_conflicts_and_rank_by_fit(cast):
    MemberProfile.objects.filter(user__in=[cast.member, cast.member2]).update(
        region="Boston", industry="Biotech"
    )
    MemberProfile.objects.filter(user=cast.other_member).update(region="Denver", industry="Retail")
    newcomer = add_member(cast, "late@acme.test", "Lena Late", "Boston", industry="Biotech")
    suggestions = placement_suggestions(program=cast.program, user=newcomer)
    assert [s.group for s in suggestions] == [cast.group, cast.other_group]  # Boston peers first

    NotWith.objects.create(organization=cast.organization, user=newcomer, other=cast.member2)
    assert [s.group for s in placement_suggestions(program=cast.program, user=newcomer)] == [
        cast.other_group
    ]
    cast.other_group.capacity = 1
    cast.other_group.save()
    assert placement_suggestions(program=cast.program, user=newcomer) == []


def test_admin_places_a_late_joiner_from_the_program_page(client, cast):
    newcomer = add_member(cast, "late@acme.test", "Lena Late", "Boston")
    client.force_login(cast.admin)
    program_page = client.get(cast.program.get_absolute_url())
    place_url = reverse("formation-placement", args=["acme", cast.program.pk, newcomer.pk])
    assert place_url.encode() in program_page.content
    response = client.post(place_url, {"group_id": cast.group.pk})
    assert response.status_code == 302
    assert GroupMembership.objects.filter(group=cast.group, user=newcomer).exists()


def test_placement_into_a_conflicting_group_is_refused(cast):
    newcomer = add_member(cast, "late@acme.test", "Lena Late", "Boston")
    MemberProfile.objects.filter(user=newcomer).update(reports_to=cast.member)
    with pytest.raises(Conflict, match=r"cannot share a group \(reporting line\)"):
        placement_apply(
            program=cast.program, group_id=cast.group.pk, user=newcomer, acting_user=cast.admin
        )


def test_placement_refusal_does_not_name_a_not_with_declaration(client, cast):
    newcomer = add_member(cast, "late@acme.test", "Lena Late", "Boston")
    NotWith.objects.create(organization=cast.organization, user=cast.member, other=newcomer)
    client.force_login(cast.admin)
    response = client.post(
        reverse("formation-placement", args=["acme", cast.program.pk, newcomer.pk]),
        {"group_id": cast.group.pk},
    )
    assert response.status_code == 422  # the page's choice again, with the reason
    assert b"cannot share a group." in response.content
    assert b"not-with" not in response.content and b"declar" not in response.content
    assert not GroupMembership.objects.filter(user=newcomer).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_placements_never_overfill(cast):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent placements are tested on PostgreSQL")
    group = group_create(program=cast.program, name="Last seat", capacity=1, acting_user=None)
    joiners = [add_member(cast, f"late{i}@acme.test", f"Late {i}", "Boston") for i in range(12)]
    results = race(
        *(
            partial(
                placement_apply,
                program=cast.program,
                group_id=group.pk,
                user=user,
                acting_user=None,
            )
            for user in joiners
        )
    )
    placed = [r for r in results if not isinstance(r, Exception)]
    assert placed == [group]
    assert all(isinstance(r, Conflict) for r in results if r not in placed)
    assert GroupMembership.objects.filter(group=group).count() == 1


def test_facilitators_are_matched_as_an_assignment_not_greedily():
    """Greedy by group order gives Flex to group 1 and leaves group 2 with Niche, a poor fit.

    The optimal matching gives group 1 to Niche (a good fit there) and group 2 to Flex.
    """
    boston = {"region": "Boston", "industry": "Biotech", "challenge_topics": ["finance"]}
    denver = {"region": "Denver", "industry": "Retail", "challenge_topics": ["sales"]}
    flex = FacilitatorOption(
        user_id=1, name="Flex", free=1, regions=("boston", "denver"), expertise=("finance", "sales")
    )
    niche = FacilitatorOption(
        user_id=2,
        name="Niche",
        free=1,
        regions=("boston",),
        industries=("biotech",),
        expertise=("finance",),
    )
    assert facilitators_assign([flex, niche], [[boston], [denver]]) == [2, 1]


def test_facilitator_capacity_limits_the_matching():
    person = {"region": "Boston", "industry": "", "challenge_topics": []}
    solo = FacilitatorOption(user_id=7, name="Solo", free=2, regions=("boston",))
    chosen = facilitators_assign([solo], [[person], [person], [person]])
    assert chosen.count(7) == 2
    assert chosen.count(None) == 1
