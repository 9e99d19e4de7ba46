"""Commitments: made in a meeting or by the member, due by the next meeting, checked in,
and reviewed in the next meeting's run-of-show."""

from datetime import date

import pytest
from django.urls import reverse

from peergroups.errors import Invalid
from peergroups.goals import services
from peergroups.goals.models import Commitment, CommitmentCheckIn


def test_commitment_made_in_a_meeting_is_due_at_the_next_meeting(scheduled, meeting):
    commitment = services.commitment_record(
        meeting=meeting,
        member_id=scheduled.member.pk,
        text="Talk to both.",
        acting_user=meeting.group.facilitator,
    )
    assert commitment.group == scheduled.group
    assert commitment.due_on == date(2027, 2, 9)  # the second Tuesday of February


def test_a_member_commits_on_their_own_due_at_the_next_meeting(client, scheduled):
    client.force_login(scheduled.member)
    response = client.post(
        reverse("goals-commitments", args=["acme"]), {"text": "Draft the hiring plan."}
    )
    assert response.status_code == 302
    commitment = Commitment.objects.get()
    assert (commitment.meeting, commitment.group) == (None, scheduled.group)
    assert commitment.due_on == date(2027, 1, 12)  # the group's next meeting
    assert "Draft the hiring plan." in client.get(response["Location"]).text


def test_without_a_schedule_a_commitment_is_due_in_30_days(accepted, frozen):
    commitment = services.commitment_make(group=accepted.group, member=accepted.member, text="x")
    assert commitment.due_on == date(2027, 1, 31)


def test_a_commitment_needs_text_and_a_date_not_in_the_past(accepted, frozen):
    with pytest.raises(Invalid):
        services.commitment_make(group=accepted.group, member=accepted.member, text="  ")
    with pytest.raises(Invalid):
        services.commitment_make(
            group=accepted.group, member=accepted.member, text="x", due_on=date(2026, 12, 1)
        )


def test_member_checks_in_and_the_latest_check_in_is_the_outcome(client, commit, frozen):
    commitment = commit(date(2027, 1, 12))
    client.force_login(commitment.member)
    url = reverse("goals-check-in", args=["acme", commitment.pk])
    assert client.post(url, {"status": "partly", "note": "One of two."}).status_code == 302
    frozen.shift(60)
    assert client.post(url, {"status": "done", "note": "Both."}).status_code == 302
    assert CommitmentCheckIn.objects.count() == 2
    page = client.get(reverse("goals-commitments", args=["acme"])).text
    assert "Done" in page and "“Both.”" in page


def test_another_member_cannot_check_in_on_my_commitment(client, accepted, commit):
    commitment = commit(date(2027, 1, 12))
    client.force_login(accepted.member2)
    response = client.post(
        reverse("goals-check-in", args=["acme", commitment.pk]), {"status": "done"}
    )
    assert response.status_code == 403
    assert not CommitmentCheckIn.objects.exists()


def test_bad_check_in_is_shown_again_and_nothing_is_lost(client, commit):
    commitment = commit(date(2027, 1, 12))
    client.force_login(commitment.member)
    response = client.post(
        reverse("goals-check-in", args=["acme", commitment.pk]), {"status": "maybe", "note": "Kept"}
    )
    assert response.status_code == 422
    assert "Kept" in response.text


def test_review_step_lists_open_commitments_with_their_latest_check_in(client, scheduled, commit):
    first, second = scheduled.group.meetings.order_by("starts_at")[:2]
    services.commitment_record(
        meeting=first,
        member_id=scheduled.member.pk,
        text="Call the bank.",
        acting_user=scheduled.facilitator,
    )
    partly = commit(
        date(2027, 1, 20), outcome="partly", member=scheduled.member2, text="Fix the rota."
    )
    services.commitment_check_in(
        commitment=partly, status="partly", note="Half the shifts.", acting_user=scheduled.member2
    )
    commit(date(2027, 1, 20), outcome="done", text="Already finished.")
    client.force_login(scheduled.facilitator)
    # The run-of-show includes the goals app's commitments part with htmx.
    url = reverse("goals-meeting-commitments", args=["acme", scheduled.group.pk, second.pk])
    page = client.get(url, HTTP_HX_REQUEST="true").text
    assert "<html" not in page
    review = page[page.index('id="review"') :]
    assert "Call the bank." in review and "No check-in yet" in review
    assert "Fix the rota." in review and "Partly done" in review and "Half the shifts." in review
    assert "Already finished." not in review  # done: nothing left to review
