"""The opt-in directory: listed people of one organization, with what they chose to show."""

import pytest
from django.urls import reverse

from peergroups.errors import Refused
from peergroups.network import selectors, services
from peergroups.network.tests.conftest import access_of
from peergroups.people.models import MemberProfile


@pytest.fixture
def profiles(cast):
    MemberProfile.objects.filter(user=cast.member).update(
        industry="Biotech", region="Boston", expertise=["finance", "hiring"], function="Operations"
    )
    MemberProfile.objects.filter(user=cast.member2).update(
        industry="Retail", region="Berlin", expertise=["sales"]
    )
    return cast


def names(entries):
    return [str(e.user) for e in entries]


def test_only_listed_people_appear_and_unlisting_is_immediate(profiles, listing):
    listing(profiles.member)
    listing(profiles.member2)
    access = access_of(profiles.other_member)
    assert names(selectors.directory_search(access=access)) == ["Max Member", "Mia Member"]
    listing(profiles.member, listed=False)
    assert names(selectors.directory_search(access=access)) == ["Max Member"]


def test_filters_use_only_what_people_chose_to_show(profiles, listing):
    listing(profiles.member, show_region=False)
    listing(profiles.member2)
    access = access_of(profiles.other_member)
    assert names(selectors.directory_search(access=access, expertise="finance")) == ["Mia Member"]
    assert names(selectors.directory_search(access=access, industry="retail")) == ["Max Member"]
    # Mia hid her region: a region search cannot find her by it.
    assert names(selectors.directory_search(access=access, region="Boston")) == []
    entry = selectors.directory_entry_of(user=profiles.member, access=access_of(profiles.member))
    assert (entry.region, entry.industry) == ("", "Biotech")


def test_never_visible_to_another_organization(profiles, listing, client):
    listing(profiles.member)
    client.force_login(profiles.outsider)
    assert client.get(reverse("network-directory", args=["acme"])).status_code == 404
    page = client.get(reverse("network-directory", args=["globex"]))
    assert page.status_code == 200 and b"Mia Member" not in page.content


def test_admins_cannot_list_themselves(cast):
    with pytest.raises(Refused):
        services.directory_entry_save(user=cast.admin, access=access_of(cast.admin), listed=True)


def test_directory_page_searches_as_you_type(profiles, listing, client):
    listing(profiles.member, ask_me_about="cash flow and the bank")
    listing(profiles.member2)
    client.force_login(profiles.other_member)
    response = client.get(
        reverse("network-directory", args=["acme"]),
        {"q": "cash"},
        headers={"HX-Request": "true", "HX-Target": "people"},
    )
    assert response.status_code == 200
    assert b"Mia Member" in response.content and b"Max Member" not in response.content
    assert b"<html" not in response.content


def test_listing_form_saves_and_says_so(profiles, client):
    client.force_login(profiles.member)
    url = reverse("network-directory-me", args=["acme"])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"listed": "on", "show_expertise": "on", "ask_me_about": "x" * 201},
    )
    assert response.status_code == 422  # too long: the form re-renders, nothing lost
    response = client.post(
        url,
        {
            "listed": "on",
            "show_expertise": "on",
            "ask_me_about": "Hiring engineers",
            "ask_me_about_topics": ["hiring"],
            "accepts_questions": "on",
        },
    )
    assert response.status_code == 302
    entry = selectors.directory_entry_of(user=profiles.member, access=access_of(profiles.member))
    assert entry.listed and entry.ask_me_about_topics == ["hiring"]
    assert entry.industry == ""  # not ticked: not shown


def test_directory_page_query_count_is_bounded(
    profiles, listing, client, django_assert_max_num_queries
):
    from conftest import make_user
    from peergroups.organizations.services import role_grant

    for i in range(25):
        user = make_user(f"peer{i}@acme.test", f"Peer {i:02}")
        role_grant(
            organization=profiles.organization, user=user, role="member", acting_user=profiles.admin
        )
        listing(user)
    client.force_login(profiles.member)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("network-directory", args=["acme"]))
    assert response.status_code == 200 and b"Peer 24" in response.content
