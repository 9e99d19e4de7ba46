"""The one-click check-in link: no sign-in, single use, expires, and says so clearly."""

import re
from datetime import date, timedelta

from django.urls import reverse

from peergroups.goals import services
from peergroups.goals.models import CheckInToken, CommitmentCheckIn


def link(token, org="acme"):
    return reverse("goals-token-check-in", args=[org, token])


def test_get_only_shows_the_choice_and_records_nothing(client, commit, frozen):
    commitment = commit(date(2027, 1, 12))
    token = services.check_in_token_issue(commitment=commitment)
    response = client.get(link(token) + "?status=done")
    assert response.status_code == 200
    assert commitment.text in response.text
    assert re.search(r'value="done"[^>]*checked', response.text)  # done is preselected
    assert not CommitmentCheckIn.objects.exists()  # mail scanners open links


def test_post_records_the_check_in_without_signing_in_once(client, commit, frozen):
    commitment = commit(date(2027, 1, 12))
    token = services.check_in_token_issue(commitment=commitment)
    response = client.post(link(token), {"status": "done", "note": "Done and dusted."})
    assert response.status_code == 200
    assert "checked in" in response.text
    check_in = CommitmentCheckIn.objects.get()
    assert (check_in.status, check_in.note, check_in.created_by) == (
        "done",
        "Done and dusted.",
        commitment.member,
    )
    again = client.post(link(token), {"status": "not_done"})
    assert again.status_code == 410
    assert "used already" in again.text
    assert "used already" in client.get(link(token)).text
    assert CommitmentCheckIn.objects.count() == 1


def test_an_expired_link_says_so(client, commit, frozen):
    commitment = commit(date(2027, 1, 12))
    token = services.check_in_token_issue(commitment=commitment)
    frozen.shift(timedelta(days=services.CHECK_IN_LINK_DAYS, seconds=1))
    response = client.post(link(token), {"status": "done"})
    assert response.status_code == 410
    assert "expired" in response.text
    assert not CommitmentCheckIn.objects.exists()


def test_an_unknown_or_foreign_link_is_refused(client, commit, frozen):
    commitment = commit(date(2027, 1, 12))
    token = services.check_in_token_issue(commitment=commitment)
    assert client.get(link("not-a-token")).status_code == 410
    assert client.post(link(token, org="globex"), {"status": "done"}).status_code == 410
    assert not CommitmentCheckIn.objects.exists()


def test_only_a_digest_of_the_token_is_stored(commit):
    commitment = commit(date(2027, 1, 12))
    token = services.check_in_token_issue(commitment=commitment)
    assert not CheckInToken.objects.filter(token_hash=token).exists()
    assert CheckInToken.objects.get().token_hash != token


def test_a_direct_post_needs_no_csrf_token_the_link_is_the_credential(commit, frozen):
    from django.test import Client

    commitment = commit(date(2027, 1, 12))
    token = services.check_in_token_issue(commitment=commitment)
    response = Client(enforce_csrf_checks=True).post(link(token), {"status": "partly"})
    assert response.status_code == 200
    assert CommitmentCheckIn.objects.get().status == "partly"
