"""Long texts have one bound each, kept alike by the form, the API and the service."""

import pytest
from django.urls import reverse

from peergroups.errors import Invalid
from peergroups.meetings import services
from peergroups.meetings.forms import CheckInForm, IssueForm, NoteForm
from peergroups.meetings.models import CHECK_IN_TEXT_MAX, ISSUE_TEXT_MAX, NOTE_TEXT_MAX, Issue

from .conftest import issue_for
from .test_api import base
from .test_api import client as api_client

TOO_LONG = "x" * (ISSUE_TEXT_MAX + 1)


def test_service_refuses_an_issue_over_the_bound(accepted):
    with pytest.raises(Invalid, match="to 10,000 characters or fewer") as refused:
        issue_for(accepted, situation=TOO_LONG)
    assert refused.value.field == "situation"
    assert issue_for(accepted, ask="y" * ISSUE_TEXT_MAX).pk


def test_api_refuses_the_same_bound(accepted):
    response = api_client.post(
        base(accepted) + "/issues",
        json={"title": "t", "category": "finance", "situation": TOO_LONG, "ask": "a", "urgency": 2},
        auth=accepted.member,
    )
    assert response.status_code == 422
    assert not Issue.objects.exists()


def test_forms_carry_the_bounds_to_the_page(client, accepted):
    assert IssueForm().fields["situation"].widget.attrs["maxlength"] == str(ISSUE_TEXT_MAX)
    assert NoteForm().fields["text"].max_length == NOTE_TEXT_MAX
    assert CheckInForm().fields["work"].max_length == CHECK_IN_TEXT_MAX
    client.force_login(accepted.member)
    url = reverse("meetings-issue-create", args=["acme", accepted.group.pk])
    page = client.get(url).content.decode()
    assert f'maxlength="{ISSUE_TEXT_MAX}"' in page
    # Over the bound, the form re-renders with the reason and keeps the title.
    response = client.post(
        url,
        {"title": "Keep me", "category": "hiring", "situation": TOO_LONG, "ask": "a", "urgency": 2},
    )
    assert response.status_code == 400, response.status_code
    assert "Keep me" in response.content.decode() and not Issue.objects.exists()


def test_note_and_check_in_bounds_in_the_services(scheduled, meeting):
    with pytest.raises(Invalid, match="to 5,000 characters"):
        services.meeting_note_add(
            meeting=meeting, author=scheduled.facilitator, kind="general", text="n" * 5001
        )
    with pytest.raises(Invalid, match="to 2,000 characters"):
        services.check_in_save(
            meeting=meeting, member=scheduled.member, work="w" * 2001, personal="", rating=7
        )
