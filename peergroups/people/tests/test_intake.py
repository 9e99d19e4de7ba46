"""The member's intake form: validates, keeps what was typed, saves domain values."""

import re

import pytest
from django.urls import reverse

from conftest import make_user
from peergroups.errors import Invalid
from peergroups.groups.services import program_create
from peergroups.organizations.models import Role
from peergroups.organizations.services import role_grant
from peergroups.people.models import MemberProfile, NotWith
from peergroups.people.services import member_profile_ensure, member_profile_save

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
        "reports_to": str(cast.member2.pk),
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
    assert profile.reports_to == cast.member2
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


SEARCH = reverse("people-intake-search", args=["acme"])


def enrol(cast, email, name, program=None):
    user = make_user(email, name)
    role_grant(organization=cast.organization, user=user, role=Role.MEMBER, acting_user=cast.admin)
    member_profile_ensure(
        organization=cast.organization, user=user, program=program or cast.program
    )
    return user


def test_intake_page_lists_no_one_until_searched(client, cast):
    client.force_login(cast.member)
    page = client.get(URL).content.decode()
    for name in ("Max Member", "Oli Member", "Fran Facilitator", "Ada Admin"):
        assert name not in page
    assert SEARCH in page


def test_search_finds_only_members_of_the_same_program(client, cast):
    elsewhere = program_create(organization=cast.organization, acting_user=cast.admin, name="Other")
    enrol(cast, "mo@acme.test", "Mo Elsewhere", program=elsewhere)
    client.force_login(cast.member)
    names = client.get(SEARCH, {"q": "m"}).content.decode()
    assert "at least 2" in names and "Max Member" not in names
    found = client.get(SEARCH, {"q": "mEm"}).content.decode()
    assert "Max Member" in found and "Oli Member" in found
    assert "Mia Member" not in found  # not oneself
    for name in ("Fran", "Ada", "Mo"):
        assert "No one in your program" in client.get(SEARCH, {"q": name}).content.decode()
    radios = client.get(SEARCH, {"q": "max", "picker": "reports_to"}).content.decode()
    assert 'type="radio" name="reports_to"' in radios


def test_search_shows_at_most_twenty_matches(client, cast, django_assert_max_num_queries):
    for n in range(25):
        enrol(cast, f"peer{n}@acme.test", f"Peer Person {n:02}")
    client.force_login(cast.member)
    with django_assert_max_num_queries(12):
        found = client.get(SEARCH, {"q": "peer per"}).content.decode()
    assert found.count('type="checkbox"') == 20
    assert "type more of the name" in found


def test_staff_and_other_programs_are_refused_as_manager_or_not_with(client, cast):
    client.force_login(cast.member)
    for field, value in (
        ("reports_to", str(cast.facilitator.pk)),
        ("reports_to", str(cast.admin.pk)),
        ("not_with", [str(cast.other_facilitator.pk)]),
    ):
        assert client.post(URL, valid_intake(cast, **{field: value})).status_code == 400
    assert not MemberProfile.objects.get(user=cast.member).is_complete


def test_intake_service_refuses_ids_outside_the_program(cast):
    elsewhere = program_create(organization=cast.organization, acting_user=cast.admin, name="Other")
    stranger = enrol(cast, "mo@acme.test", "Mo Elsewhere", program=elsewhere)
    profile = MemberProfile.objects.get(user=cast.member)
    with pytest.raises(Invalid) as refused:
        member_profile_save(profile=profile, not_with=[stranger], acting_user=cast.member)
    assert refused.value.field == "not_with"
    profile.reports_to = cast.facilitator
    with pytest.raises(Invalid) as refused:
        member_profile_save(profile=profile, not_with=[], acting_user=cast.member)
    assert refused.value.field == "reports_to"
    profile.reports_to = cast.member2
    member_profile_save(profile=profile, not_with=[cast.other_member], acting_user=cast.member)
    assert NotWith.objects.filter(user=cast.member, other=cast.other_member).exists()


def test_chosen_people_stay_chosen_when_the_form_re_renders(client, cast):
    client.force_login(cast.member)
    data = valid_intake(cast, team_size="lots", not_with=[str(cast.other_member.pk)])
    page = client.post(URL, data).content.decode()
    assert re.search(rf'name="not_with" value="{cast.other_member.pk}" checked', page)
    assert re.search(rf'name="reports_to" value="{cast.member2.pk}" checked', page)


# Without JavaScript: a picker's Search button posts the intake back with the matches.


def test_no_js_search_shows_matches_as_choices_and_keeps_what_was_typed(client, cast):
    elsewhere = program_create(organization=cast.organization, acting_user=cast.admin, name="Other")
    enrol(cast, "mo@acme.test", "Mo Member", program=elsewhere)
    client.force_login(cast.member)
    typed = valid_intake(cast, company="Typed Co", reports_to="", not_with=[])
    typed.update({"search": "not_with", "not_with_q": "member"})
    answer = client.post(URL, typed)
    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'value="Typed Co"' in page  # nothing typed is lost
    assert f'type="checkbox" name="not_with" value="{cast.member2.pk}"' in page
    assert f'type="checkbox" name="not_with" value="{cast.other_member.pk}"' in page
    for name in ("Mo Member", "Fran Facilitator", "Ada Admin", "Olga Outsider"):
        assert name not in page  # another program, staff, another organization
    assert 'class="error"' not in page  # a search is not a save: no errors yet
    profile = MemberProfile.objects.get(user=cast.member)
    assert profile.company != "Typed Co" and profile.completed_at is None

    # Ticking a match and saving declares it, as the htmx picker does.
    saved = client.post(URL, valid_intake(cast, not_with=[str(cast.member2.pk)]))
    assert saved.status_code == 302
    assert set(NotWith.objects.filter(user=cast.member).values_list("other", flat=True)) == {
        cast.member2.pk
    }


def test_no_js_manager_search_offers_radios_and_enter_searches_the_box_with_text(client, cast):
    client.force_login(cast.member)
    typed = valid_intake(cast, reports_to="", not_with=[])
    # Enter in the search box: the form's first (hidden) button, action=enter.
    typed.update({"action": "enter", "reports_to_q": "max"})
    page = client.post(URL, typed).content.decode()
    assert f'type="radio" name="reports_to" value="{cast.member2.pk}"' in page
    assert 'value="max"' in page
    assert MemberProfile.objects.get(user=cast.member).completed_at is None
    # Enter with empty search boxes saves.
    typed.update({"reports_to_q": "", "reports_to": str(cast.member2.pk)})
    assert client.post(URL, typed).status_code == 302
    assert MemberProfile.objects.get(user=cast.member).reports_to == cast.member2


def test_no_js_search_of_a_too_short_name_or_a_chosen_person(client, cast):
    client.force_login(cast.member)
    typed = valid_intake(cast, not_with=[str(cast.member2.pk)])
    typed.update({"search": "not_with", "not_with_q": "m"})
    page = client.post(URL, typed).content.decode()
    assert "Type at least 2 letters" in page
    typed["not_with_q"] = "max"
    page = client.post(URL, typed).content.decode()
    # Max is chosen already: shown once, ticked, not again among the matches.
    assert page.count(f'name="not_with" value="{cast.member2.pk}"') == 1
    assert "No one in your program matches" in page


def test_htmx_search_reads_the_box_named_after_its_picker(client, cast):
    client.force_login(cast.member)
    page = client.get(URL).content.decode()
    assert 'name="not_with_q"' in page and 'name="reports_to_q"' in page
    found = client.get(SEARCH, {"picker": "reports_to", "reports_to_q": "max"}).content.decode()
    assert f'type="radio" name="reports_to" value="{cast.member2.pk}"' in found
