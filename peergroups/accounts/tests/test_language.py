"""A person's language (issue 23, item 5): their own choice, else their organization's
default, else the browser's; the choice is made on the account's language page."""

import pytest
from django.urls import reverse
from django.utils import translation

from peergroups.accounts.services import user_language_update
from peergroups.errors import Invalid

LANGUAGE_PAGE = reverse("accounts-language")
DASHBOARD = reverse("organizations-dashboard", args=["acme"])


def test_a_member_chooses_german_and_every_page_answers_in_it(client, cast):
    client.force_login(cast.member)
    assert client.get(DASHBOARD).text.count("Your peer group") == 1
    saved = client.post(LANGUAGE_PAGE, {"language": "de"}, follow=True)
    assert saved.status_code == 200
    assert "Ihre Sprache ist gespeichert." in saved.text  # said in the new language
    assert '<html lang="de">' in saved.text
    cast.member.refresh_from_db()
    assert cast.member.language == "de"
    page = client.get(DASHBOARD)
    assert page.headers["Content-Language"] == "de"
    assert "Ihre Peer-Gruppe" in page.text
    assert "Abmelden" in page.text and "Sign out" not in page.text


def test_without_a_choice_the_organization_default_applies_on_every_page(client, cast):
    cast.organization.default_language = "de"
    cast.organization.save(update_fields=["default_language"])
    client.force_login(cast.member)
    assert "Ihre Peer-Gruppe" in client.get(DASHBOARD).text
    # Outside any organization (the account's pages) too, once one was visited.
    assert '<html lang="de">' in client.get(LANGUAGE_PAGE).text
    # The person's own choice wins over the organization's.
    client.post(LANGUAGE_PAGE, {"language": "en"})
    assert "Your peer group" in client.get(DASHBOARD).text
    # And going back to "the organization's default" is German again.
    client.post(LANGUAGE_PAGE, {"language": ""})
    cast.member.refresh_from_db()
    assert cast.member.language == ""
    assert "Ihre Peer-Gruppe" in client.get(DASHBOARD).text


def test_another_organization_keeps_its_own_default(client, cast):
    cast.organization.default_language = "de"
    cast.organization.save(update_fields=["default_language"])
    client.force_login(cast.outsider)  # admin of Globex, English by default
    assert (
        '<html lang="en">' in client.get(reverse("organizations-dashboard", args=["globex"])).text
    )


def test_a_visitor_reads_their_browser_language(client):
    login = reverse("login")
    german = client.get(login, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    assert '<html lang="de">' in german.text and "Passwort vergessen?" in german.text
    assert "Accept-Language" in german.headers["Vary"]
    french = client.get(login, HTTP_ACCEPT_LANGUAGE="fr")  # not offered: the site's English
    assert '<html lang="en">' in french.text and "Forgot your password?" in french.text


def test_an_unknown_language_shows_the_form_again_and_changes_nothing(client, cast):
    client.force_login(cast.member)
    page = client.post(LANGUAGE_PAGE, {"language": "xx"})
    assert page.status_code == 422
    assert 'class="error"' in page.text
    cast.member.refresh_from_db()
    assert cast.member.language == ""


def test_the_service_refuses_a_language_the_site_does_not_offer(cast):
    with pytest.raises(Invalid) as refusal:
        user_language_update(user=cast.member, language="fr")
    assert refusal.value.field == "language"
    assert user_language_update(user=cast.member, language="de").language == "de"


def test_a_request_leaves_the_thread_in_the_language_it_found(client, cast):
    cast.member.language = "de"
    cast.member.save(update_fields=["language"])
    client.force_login(cast.member)
    with translation.override("en"):
        assert "Ihre Peer-Gruppe" in client.get(DASHBOARD).text
        assert translation.get_language() == "en"


def test_numbers_in_sentences_are_written_the_readers_way():
    from peergroups.formats import count_of
    from peergroups.textlimits import text_too_long

    assert count_of(1200, "member") == "1,200 members"
    assert "5,000" in text_too_long(5000)
    with translation.override("de"):
        assert count_of(1200, "member").startswith("1.200 ")
        assert "5.000" in text_too_long(5000)
