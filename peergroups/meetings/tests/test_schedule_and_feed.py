"""Moving and cancelling one occurrence; the calendar feed and the one-meeting download."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
from django.urls import reverse

from peergroups.groups.services import group_rename
from peergroups.meetings import services
from peergroups.meetings.models import IssueStatus, Meeting, MeetingStatus
from peergroups.organizations.access import organization_access

from .conftest import issue_for

NEW_YORK = ZoneInfo("America/New_York")


def feed_url(client, cast, user) -> str:
    """Make the user's feed through the page, as they would, and return its address."""
    client.force_login(user)
    response = client.post(reverse("meetings-calendar", args=["acme"]), {"action": "regenerate"})
    url = response.context["feed_url"]
    client.logout()
    return url


def events(response) -> dict[str, icalendar.Event]:
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_facilitator_moves_one_meeting_keeping_its_uid(client, meeting):
    client.force_login(meeting.group.facilitator)
    uid = meeting.uid
    response = client.post(
        reverse("meetings-edit", args=["acme", meeting.group_id, meeting.pk]),
        {
            "action": "move",
            "date": "2027-01-13",
            "start_time": "09:00",
            "end_time": "13:00",
            "location": "Acme HQ, room 5",
            "video_url": "",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.uid == uid
    assert meeting.status == MeetingStatus.MOVED
    assert meeting.sequence == 1
    assert meeting.starts_at == datetime(2027, 1, 13, 14, tzinfo=UTC)  # 09:00 New York
    second = Meeting.objects.filter(group=meeting.group).order_by("starts_at")[1]
    assert second.sequence == 0  # the others are untouched


def test_member_cannot_move_or_cancel(client, meeting):
    client.force_login(meeting.group.memberships.first().user)
    url = reverse("meetings-edit", args=["acme", meeting.group_id, meeting.pk])
    assert client.post(url, {"action": "cancel"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_cancelling_sends_its_issues_back_to_the_queue(client, scheduled, meeting):
    issue = issue_for(scheduled)
    services.agenda_issues_pick(meeting=meeting, issues=[issue], acting_user=scheduled.facilitator)
    client.force_login(scheduled.facilitator)
    client.post(
        reverse("meetings-edit", args=["acme", meeting.group_id, meeting.pk]), {"action": "cancel"}
    )
    meeting.refresh_from_db()
    issue.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert (issue.status, issue.meeting) == (IssueStatus.OPEN, None)


def test_feed_is_valid_icalendar_with_local_times_and_zone(client, scheduled):
    url = feed_url(client, scheduled, scheduled.member)
    response = client.get(url)  # anonymous: calendar apps cannot sign in
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert calendar["PRODID"]
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    vevents = calendar.walk("VEVENT")
    assert len(vevents) == 12
    first = vevents[0]
    start = first.decoded("DTSTART")
    assert first["DTSTART"].params["TZID"] == "America/New_York"
    assert (start.hour, start.minute) == (8, 0)
    assert start.astimezone(UTC) == datetime(2027, 1, 12, 13, tzinfo=UTC)
    assert first.decoded("DTEND").astimezone(UTC) == datetime(2027, 1, 12, 17, tzinfo=UTC)
    # April is after the daylight-saving switch: still 08:00 local, 12:00 UTC.
    april = vevents[3].decoded("DTSTART")
    assert (april.hour, april.astimezone(UTC).hour) == (8, 12)
    for event in vevents:
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "STATUS"):
            assert name in event, name
    assert str(first["LOCATION"]) == "Acme HQ, room 4"
    assert str(first["STATUS"]) == "CONFIRMED"


def test_feed_uids_stay_and_sequence_and_cancellation_show(client, scheduled):
    url = feed_url(client, scheduled, scheduled.member)
    before = events(client.get(url))
    first, second = Meeting.objects.filter(group=scheduled.group).order_by("starts_at")[:2]
    services.meeting_move(
        meeting=first,
        starts_at=datetime(2027, 1, 14, 13, tzinfo=UTC),
        ends_at=datetime(2027, 1, 14, 17, tzinfo=UTC),
        location="Elsewhere",
        video_url="",
        acting_user=scheduled.facilitator,
    )
    services.meeting_cancel(meeting=second, acting_user=scheduled.facilitator)
    after = events(client.get(url))
    assert after.keys() == before.keys()
    assert int(before[first.uid]["SEQUENCE"]) == 0
    assert int(after[first.uid]["SEQUENCE"]) == 1
    assert after[first.uid].decoded("DTSTART").astimezone(UTC) == datetime(
        2027, 1, 14, 13, tzinfo=UTC
    )
    assert str(after[second.uid]["STATUS"]) == "CANCELLED"
    assert int(after[second.uid]["SEQUENCE"]) == 1


def test_feed_never_contains_issue_texts(client, scheduled, meeting):
    issue = issue_for(scheduled, title="Layoffs in Q2 — confidential")
    services.agenda_issues_pick(meeting=meeting, issues=[issue], acting_user=scheduled.facilitator)
    body = client.get(feed_url(client, scheduled, scheduled.member)).content.decode()
    assert "Layoffs" not in body
    assert "internal candidates" not in body


def test_regenerating_the_feed_kills_the_old_address(client, scheduled):
    old = feed_url(client, scheduled, scheduled.member)
    new = feed_url(client, scheduled, scheduled.member)
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_revoked_feed_is_gone(client, scheduled):
    url = feed_url(client, scheduled, scheduled.member)
    client.force_login(scheduled.member)
    client.post(reverse("meetings-calendar", args=["acme"]), {"action": "revoke"})
    client.logout()
    assert client.get(url).status_code == 404
    assert client.get(url.replace("/o/acme/", "/o/globex/")).status_code == 404


def test_feed_lists_only_the_users_own_groups(client, scheduled):
    url = feed_url(client, scheduled, scheduled.other_member)
    assert events(client.get(url)) == {}


def test_one_meeting_download_is_a_calendar_with_one_event(client, meeting):
    client.force_login(meeting.group.facilitator)
    response = client.get(reverse("meetings-ics", args=["acme", meeting.group_id, meeting.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["UID"]) == meeting.uid
    assert event.decoded("DTSTART").astimezone(NEW_YORK).hour == 8


def test_feed_answers_304_until_something_it_shows_changes(client, scheduled):
    """Calendar apps poll: an unchanged feed is a 304; a moved meeting or a renamed
    group is a new ETag with the new content (the body is cached under the ETag)."""
    url = feed_url(client, scheduled, scheduled.member)
    first = client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url).content == first.content

    meeting = Meeting.objects.filter(group=scheduled.group).order_by("starts_at").first()
    services.meeting_move(
        meeting=meeting,
        starts_at=datetime(2027, 1, 15, 13, tzinfo=UTC),
        ends_at=datetime(2027, 1, 15, 17, tzinfo=UTC),
        location="Moved",
        video_url="",
        acting_user=scheduled.facilitator,
    )
    moved = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert moved.status_code == 200 and moved["ETag"] != etag
    assert str(events(moved)[meeting.uid]["LOCATION"]) == "Moved"

    group_rename(
        access=organization_access(scheduled.facilitator, "acme"),
        group=scheduled.group,
        name="Harbour circle",
        acting_user=scheduled.facilitator,
    )
    renamed = client.get(url, HTTP_IF_NONE_MATCH=moved["ETag"])
    assert renamed.status_code == 200
    assert str(events(renamed)[meeting.uid]["SUMMARY"]).startswith("Harbour circle")
