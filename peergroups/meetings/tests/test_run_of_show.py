"""The facilitator runs the meeting: steps, current issue, notes, commitment, attendance."""

from django.urls import reverse

from peergroups.meetings import services
from peergroups.meetings.models import Attendance, CheckIn, MeetingNote

from .conftest import issue_for


def run_url(meeting):
    # The fixture meeting is days ahead: these tests run it early, confirmed.
    return reverse("meetings-run", args=["acme", meeting.group_id, meeting.pk]) + "?early=1"


def test_run_of_show_shows_steps_with_time_boxes(client, meeting):
    client.force_login(meeting.group.facilitator)
    response = client.get(run_url(meeting))
    assert response.status_code == 200
    for text in ("Check-in round", "Issue processing", "Commitments review", "Resource share"):
        assert text in response.text
    assert "150 min" in response.text
    client.post(run_url(meeting), {"action": "step", "step": "1"})
    meeting.refresh_from_db()
    assert meeting.current_step == 1


def test_facilitator_records_notes_and_attendance(client, scheduled, meeting):
    issue = issue_for(scheduled)
    services.agenda_issues_pick(meeting=meeting, issues=[issue], acting_user=scheduled.facilitator)
    client.force_login(scheduled.facilitator)
    client.post(run_url(meeting), {"action": "issue-start", "issue": issue.pk})
    meeting.refresh_from_db()
    assert meeting.current_issue == issue
    assert meeting.current_step == 1  # the default protocol's issue-processing step
    client.post(
        run_url(meeting),
        {
            "action": "note",
            "issue": issue.pk,
            "note-kind": "clarifying",
            "note-text": "Has the star accepted yet?",
        },
    )
    client.post(
        run_url(meeting),
        {
            "action": "attendance",
            f"attendance-member_{scheduled.member.pk}": "present",
            f"attendance-member_{scheduled.member2.pk}": "excused",
        },
    )
    note = MeetingNote.objects.get()
    assert (note.kind, note.issue, note.author) == ("clarifying", issue, scheduled.facilitator)
    assert dict(Attendance.objects.values_list("member__email", "status")) == {
        "mia@acme.test": "present",
        "max@acme.test": "excused",
    }
    page = client.get(run_url(meeting))
    assert "Has the star accepted yet?" in page.text
    # The commitments part is the goals app's, included from its URL.
    commitments = reverse(
        "goals-meeting-commitments", args=["acme", scheduled.group.pk, meeting.pk]
    )
    assert f'hx-get="{commitments}"' in page.text


def test_attendance_can_be_corrected(client, meeting):
    members = [m.user for m in meeting.group.memberships.all()]
    client.force_login(meeting.group.facilitator)
    for status in ("absent", "present"):
        client.post(
            run_url(meeting),
            {"action": "attendance", **{f"attendance-member_{m.pk}": status for m in members}},
        )
    assert set(Attendance.objects.values_list("status", flat=True)) == {"present"}
    assert Attendance.objects.count() == 2


def test_closed_meeting_records_are_final(client, meeting):
    client.force_login(meeting.group.facilitator)
    client.post(run_url(meeting), {"action": "close"})
    client.post(run_url(meeting), {"action": "note", "note-kind": "general", "note-text": "Late"})
    assert not MeetingNote.objects.exists()


def test_member_cannot_open_the_run_of_show(client, meeting):
    client.force_login(meeting.group.memberships.first().user)
    assert client.get(run_url(meeting)).status_code == 403
    assert client.post(run_url(meeting), {"action": "close"}).status_code == 403


def test_member_checks_in(client, scheduled, meeting):
    client.force_login(scheduled.member)
    url = reverse("meetings-check-in", args=["acme", scheduled.group.pk, meeting.pk])
    response = client.post(url, {"work": "Hiring freeze", "personal": "", "rating": "11"})
    assert response.status_code == 422
    assert "Hiring freeze" in response.text
    client.post(url, {"work": "Hiring freeze", "personal": "New baby", "rating": "7"})
    check_in = CheckIn.objects.get()
    assert (check_in.member, check_in.rating) == (scheduled.member, 7)
    client.force_login(scheduled.facilitator)
    assert "New baby" in client.get(run_url(meeting)).text


def test_facilitator_adapts_the_agenda_protocol(client, meeting):
    group = meeting.group
    client.force_login(group.facilitator)
    url = reverse("meetings-agenda-template", args=["acme", group.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "steps-TOTAL_FORMS": "6",
        "steps-INITIAL_FORMS": "5",
        "steps-MIN_NUM_FORMS": "1",
        "steps-MAX_NUM_FORMS": "1000",
    }
    rows = [
        ("checkin", "Check-in round", "20", ""),
        ("issues", "Issue processing", "120", ""),
        ("commitments", "Commitments review", "30", ""),
        ("resources", "Resource share", "15", "on"),  # removed
        ("close", "Close", "10", ""),
        ("other", "Guest speaker", "45", ""),  # added
    ]
    for i, (kind, title, minutes, delete) in enumerate(rows):
        data |= {f"steps-{i}-kind": kind, f"steps-{i}-title": title, f"steps-{i}-minutes": minutes}
        if delete:
            data[f"steps-{i}-DELETE"] = delete
    assert client.post(url, data).status_code == 302
    steps = list(group.agenda_steps.values_list("title", "minutes"))
    assert steps == [
        ("Check-in round", 20),
        ("Issue processing", 120),
        ("Commitments review", 30),
        ("Close", 10),
        ("Guest speaker", 45),
    ]
    assert "Guest speaker" in client.get(meeting.get_absolute_url()).text


def test_agenda_protocol_errors_are_shown(client, meeting):
    group = meeting.group
    client.force_login(group.facilitator)
    response = client.post(
        reverse("meetings-agenda-template", args=["acme", group.pk]),
        {
            "steps-TOTAL_FORMS": "1",
            "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "1",
            "steps-MAX_NUM_FORMS": "1000",
            "steps-0-kind": "checkin",
            "steps-0-title": "Check-in",
            "steps-0-minutes": "0",
        },
    )
    assert response.status_code == 422
    assert 'value="Check-in"' in response.text
