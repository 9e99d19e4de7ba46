"""The member's intake form: validates, keeps what was typed, saves domain values."""

import re

from django.urls import reverse

from peergroups.people.models import MemberProfile, NotWith

URL = reverse("people-intake", args=["acme"])


def valid_intake(cast, **overrides) -> dict:
    data = {
        "region": "Boston",
        "time_zone": "America/New_York",
        "locale": "en",
        "industry": "Biotech",
        "function": "Research",
        "management_level": "middle",
        "team_size": "14",
        "years_managing": "6",
        "company": "Helix Labs",
        "company_size": "50-249",
        "company_stage": "growth",
        "expertise": ["hiring", "finance"],
        "challenges": "Scaling the lab team without losing the culture.",
        "challenge_topics": ["hiring", "team-building"],
        "goals": "Promote two team leads by June.",
        "goal_topics": ["leading-change"],
        "availability": ["tue-am", "thu-pm"],
        "reports_to": str(cast.facilitator.pk),
        "competitors": "Genomix, BioNorth; Genomix",
        "not_with": [str(cast.other_member.pk)],
    }
    data.update(overrides)
    return data


def test_member_completes_intake(client, cast):
    client.force_login(cast.member)
    response = client.post(URL, valid_intake(cast))
    assert response.status_code == 302
    profile = MemberProfile.objects.get(user=cast.member)
    assert profile.is_complete
    assert profile.expertise == ["hiring", "finance"]
    assert profile.availability == ["tue-am", "thu-pm"]
    assert profile.competitors == ["Genomix", "BioNorth"]
    assert profile.reports_to == cast.facilitator
    assert profile.team_size == 14
    assert list(NotWith.objects.filter(user=cast.member).values_list("other", flat=True)) == [
        cast.other_member.pk
    ]


def test_invalid_intake_re_renders_with_errors_and_keeps_every_answer(client, cast):
    client.force_login(cast.member)
    data = valid_intake(cast, team_size="lots", time_zone="Mars/Olympus", expertise=[])
    response = client.post(URL, data)
    assert response.status_code == 400
    content = response.content.decode()
    assert "Enter a whole number." in content
    assert "Select a valid choice" in content
    assert "This field is required." in content
    # What was typed is still there.
    assert 'value="Helix Labs"' in content
    assert "Scaling the lab team" in content
    assert re.search(r'value="tue-am"[^>]*checked', content)
    assert not re.search(r'value="mon-am"[^>]*checked', content)
    assert not MemberProfile.objects.get(user=cast.member).is_complete


def test_member_cannot_name_themselves_as_manager(client, cast):
    client.force_login(cast.member)
    response = client.post(URL, valid_intake(cast, reports_to=str(cast.member.pk)))
    assert response.status_code == 400
    assert MemberProfile.objects.get(user=cast.member).reports_to is None


def test_manager_picker_offers_only_people_of_this_organization(client, cast):
    client.force_login(cast.member)
    response = client.post(URL, valid_intake(cast, reports_to=str(cast.outsider.pk)))
    assert response.status_code == 400
    assert b"Olga Outsider" not in client.get(URL).content


def test_not_with_declarations_are_replaced_on_resubmit(client, cast):
    client.force_login(cast.member)
    client.post(URL, valid_intake(cast))
    client.post(URL, valid_intake(cast, not_with=[str(cast.member2.pk)]))
    others = set(NotWith.objects.filter(user=cast.member).values_list("other", flat=True))
    assert others == {cast.member2.pk}
