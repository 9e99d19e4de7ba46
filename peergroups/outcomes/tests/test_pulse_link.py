"""The one-click pulse link: no sign-in, GET shows, POST records, single use, 14 days."""

from datetime import UTC, date, datetime, timedelta

import time_machine
from django.urls import reverse

from peergroups.links import hash_token
from peergroups.outcomes import services
from peergroups.outcomes.models import Baseline, Pulse, PulseToken

from .conftest import form_data

NOW = datetime(2031, 4, 1, 12, tzinfo=UTC)


def link(token, org="acme"):
    return reverse("outcomes-pulse-link", args=[org, token])


def issued(cast):
    pulse = Pulse.objects.create(
        organization=cast.organization, user=cast.member, group=cast.group, month=date(2031, 4, 1)
    )
    return pulse, services.pulse_token_issue(pulse=pulse)


def test_get_shows_the_pulse_and_records_nothing(client, cast):
    with time_machine.travel(NOW, tick=False):
        pulse, token = issued(cast)
        response = client.get(link(token))
    assert response.status_code == 200
    assert "Your pulse for April 2031" in response.text
    assert "Hours worked per week" in response.text
    pulse.refresh_from_db()
    assert pulse.answered_at is None  # mail scanners open links
    assert PulseToken.objects.get().used_at is None


def test_post_records_once_without_signing_in_and_sets_the_baseline(client, cast):
    with time_machine.travel(NOW, tick=False):
        pulse, token = issued(cast)
        response = client.post(link(token), form_data(hours_per_week=50, note="Tired."))
        assert response.status_code == 200
        assert "pulse recorded" in response.text
        pulse.refresh_from_db()
        assert (pulse.hours_per_week, pulse.note, pulse.meeting_value) == (50, "Tired.", 6)
        # The first answers are the baseline when there is none.
        assert Baseline.objects.get(user=cast.member).hours_per_week == 50
        again = client.post(link(token), form_data(hours_per_week=10))
        assert again.status_code == 410 and "used already" in again.text
        assert client.get(link(token)).status_code == 410
    pulse.refresh_from_db()
    assert pulse.hours_per_week == 50


def test_an_expired_link_says_so_and_records_nothing(client, cast):
    with time_machine.travel(NOW, tick=False) as clock:
        pulse, token = issued(cast)
        clock.shift(timedelta(days=services.PULSE_LINK_DAYS, seconds=1))
        response = client.post(link(token), form_data())
    assert response.status_code == 410 and "expired" in response.text
    pulse.refresh_from_db()
    assert pulse.answered_at is None


def test_a_bad_answer_re_renders_and_keeps_the_link_usable(client, cast):
    with time_machine.travel(NOW, tick=False):
        pulse, token = issued(cast)
        response = client.post(link(token), form_data(hours_per_week=500, note="Keep me"))
        assert response.status_code == 422
        assert "Keep me" in response.text  # nothing typed is lost
        assert PulseToken.objects.get().used_at is None
        assert client.post(link(token), form_data()).status_code == 200


def test_an_unknown_or_foreign_link_is_refused(client, cast):
    with time_machine.travel(NOW, tick=False):
        pulse, token = issued(cast)
        assert client.get(link("not-a-token")).status_code == 410
        assert client.post(link(token, org="globex"), form_data()).status_code == 410
    pulse.refresh_from_db()
    assert pulse.answered_at is None


def test_a_pulse_answered_on_the_page_makes_its_link_say_so(client, cast):
    with time_machine.travel(NOW, tick=False):
        pulse, token = issued(cast)
        client.force_login(cast.member)
        assert client.post(reverse("outcomes-pulse", args=["acme"]), form_data()).status_code == 302
        client.logout()
        response = client.get(link(token))
    assert response.status_code == 409 and "answered already" in response.text


def test_only_the_hash_is_stored(cast):
    with time_machine.travel(NOW, tick=False):
        _, token = issued(cast)
    row = PulseToken.objects.get()
    assert row.token_hash == hash_token(token) and token not in row.token_hash


def test_the_link_opens_in_the_language_of_the_person_it_is_for(client, cast):
    cast.organization.default_language = "de"
    cast.organization.save(update_fields=["default_language"])
    with time_machine.travel(NOW, tick=False):
        _pulse, token = issued(cast)
        # Whatever the browser asks for: the link is Mia's, and her organization is German.
        response = client.get(link(token), HTTP_ACCEPT_LANGUAGE="en")
    assert "Ihre Pulsbefragung für April 2031" in response.text
    assert '<html lang="de">' in response.text
