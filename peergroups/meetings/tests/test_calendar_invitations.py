"""Meetings as calendar invitations (issue 23, item 2): for members who choose it, each
meeting comes as an iMIP e-mail (METHOD:REQUEST, the feed's UID and SEQUENCE), an update
when it moves, a CANCEL when it is cancelled; one e-mail per person per change; the
facilitator organizes. Every message is parsed with icalendar."""

import email
import email.policy
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from peergroups.meetings import services
from peergroups.meetings.models import Meeting
from peergroups.meetings.tasks import meeting_invitations_send_now

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def chosen(scheduled):
    """Mia chose invitations; Max keeps the ordinary e-mails."""
    services.calendar_invitations_set(
        user=scheduled.member, organization=scheduled.organization, on=True
    )
    return scheduled


def invitation(message) -> tuple[str, object]:
    """The METHOD and the VEVENT of a message's text/calendar alternative, as a mail
    client reads it off the wire; the attached .ics says the same."""
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    (part,) = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_content())
    assert part.get_param("method") == str(calendar["method"])
    (attached,) = [p for p in parsed.walk() if p.get_filename() == "invite.ics"]
    assert Calendar.from_ical(attached.get_content()).to_ical() == calendar.to_ical()
    (event,) = calendar.walk("VEVENT")
    return str(calendar["method"]), event


def test_a_member_who_chose_it_gets_each_coming_meeting_once(chosen, frozen):
    assert meeting_invitations_send_now() == 2  # 12 January and 9 February (six weeks)
    assert meeting_invitations_send_now() == 0  # nothing changed: nothing again
    assert {m.to[0] for m in mail.outbox} == {chosen.member.email}
    first = Meeting.objects.filter(group=chosen.group).order_by("starts_at").first()
    message = next(m for m in mail.outbox if "Tue 12 Jan" in m.subject)
    assert message.subject == "Invitation: Group A meeting, Tue 12 Jan 2027, 08:00"
    assert message.reply_to == [chosen.facilitator.email]
    assert "Accept or decline the invitation in your calendar" in message.body
    method, event = invitation(message)
    assert method == "REQUEST"
    assert str(event["uid"]) == first.uid and int(event["sequence"]) == first.sequence == 0
    assert str(event["organizer"]) == f"mailto:{chosen.facilitator.email}"
    attendee = event["attendee"]
    assert str(attendee) == f"mailto:{chosen.member.email}"  # one attendee: no roster
    assert attendee.params["RSVP"] == "TRUE" and attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert str(event["location"]) == "Acme HQ, room 4"
    assert "https://video.example/acme-a" in str(event["description"])


def test_times_stay_at_eight_in_new_york_across_daylight_saving(chosen, frozen):
    frozen.move_to(datetime(2027, 3, 5, 12, tzinfo=UTC))  # DST starts 14 March 2027
    assert meeting_invitations_send_now() == 2  # 9 March (EST) and 13 April (EDT)
    starts = {}
    for message in mail.outbox:
        method, event = invitation(message)
        start = event.decoded("dtstart")
        assert start.tzinfo.key == "America/New_York" and (start.hour, start.minute) == (8, 0)
        starts[start.date().isoformat()] = start.astimezone(UTC).hour
    assert starts == {"2027-03-09": 13, "2027-04-13": 12}
    calendar = Calendar.from_ical(
        next(p for p in mail.outbox[0].attachments if p[0] == "invite.ics")[1]
    )
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "America/New_York"
    assert zone.walk("STANDARD") and zone.walk("DAYLIGHT")


def test_a_move_is_one_update_for_the_invited_and_the_ordinary_e_mail_for_others(
    chosen, frozen, run_tasks, django_capture_on_commit_callbacks
):
    meeting_invitations_send_now()
    mail.outbox.clear()
    meeting = Meeting.objects.filter(group=chosen.group).order_by("starts_at").first()
    moved_to = meeting.starts_at + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_move(
            meeting=meeting,
            starts_at=moved_to,
            ends_at=moved_to + timedelta(hours=4),
            location="Room 9",
            video_url="",
            acting_user=chosen.facilitator,
        )
    run_tasks()
    by_person = {}
    for message in mail.outbox:
        by_person.setdefault(message.to[0], []).append(message)
    (update,) = by_person[chosen.member.email]
    assert update.subject == "Updated invitation: Group A meeting, Wed 13 Jan 2027, 08:00"
    method, event = invitation(update)
    meeting.refresh_from_db()
    assert method == "REQUEST" and str(event["uid"]) == meeting.uid
    assert int(event["sequence"]) == meeting.sequence == 1
    assert event.decoded("dtstart") == moved_to.astimezone(NEW_YORK)
    assert str(event["location"]) == "Room 9"
    (moved,) = by_person[chosen.member2.email]
    assert moved.subject.startswith("Moved:") and not moved.alternatives[1:]
    mail.outbox.clear()
    assert meeting_invitations_send_now() == 0  # the job finds this change sent


def test_a_cancel_is_a_cancel_with_the_same_uid_and_a_higher_sequence(
    chosen, frozen, run_tasks, django_capture_on_commit_callbacks
):
    meeting_invitations_send_now()
    mail.outbox.clear()
    meeting = Meeting.objects.filter(group=chosen.group).order_by("starts_at").first()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting, acting_user=chosen.facilitator)
    run_tasks()
    (cancel,) = [m for m in mail.outbox if m.to == [chosen.member.email]]
    assert cancel.subject.startswith("Cancelled: Group A meeting")
    method, event = invitation(cancel)
    meeting.refresh_from_db()
    assert method == "CANCEL" and str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == meeting.uid and int(event["sequence"]) == meeting.sequence >= 1
    assert any(m.to == [chosen.member2.email] for m in mail.outbox)  # the ordinary e-mail
    mail.outbox.clear()
    assert meeting_invitations_send_now() == 0


def test_the_calendar_page_turns_invitations_on_and_off(client, scheduled, frozen):
    client.force_login(scheduled.member)
    url = reverse("meetings-calendar", args=["acme"])
    assert "Send me meetings as calendar invitations" in client.get(url).content.decode()
    assert client.post(url, {"action": "invitations-on"}).status_code == 302
    assert "Turn invitations off" in client.get(url).content.decode()
    assert meeting_invitations_send_now() == 2
    client.post(url, {"action": "invitations-off"})
    assert "Send me meetings as calendar invitations" in client.get(url).content.decode()
    frozen.move_to(datetime(2027, 2, 20, 12, tzinfo=UTC))
    assert meeting_invitations_send_now() == 0  # March's meeting: not for Mia any more


def test_the_api_reads_and_sets_the_choice_as_the_page(client, scheduled, frozen):
    from peergroups.api.tests.helpers import bearer

    url = "/api/organizations/acme/me/calendar-invitations"
    headers = bearer(scheduled.member2)
    assert client.get(url, **headers).json() == {"on": False}
    response = client.put(url, '{"on": true}', content_type="application/json", **headers)
    assert response.status_code == 200 and response.json() == {"on": True}
    assert meeting_invitations_send_now() == 2
    assert {m.to[0] for m in mail.outbox} == {scheduled.member2.email}
    assert client.get(url, **bearer(scheduled.admin)).status_code == 403
    bad = client.put(url, '{"on": "maybe"}', content_type="application/json", **headers)
    assert bad.status_code == 422
