"""iCalendar (RFC 5545) for meetings: the member's feed and a one-meeting download.

Times are written in the group's zone (DTSTART;TZID=...) with its VTIMEZONE, so a
calendar app shows 08:00 local even across daylight-saving switches. No issue text
or anything else confidential goes in: a feed URL can leak, and calendars sync to
third-party servers.
"""

from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event

from peergroups.meetings.models import Meeting, MeetingStatus

PRODID = "-//Peergroups//Meetings//EN"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def meeting_event(meeting: Meeting) -> Event:
    zone = ZoneInfo(meeting.group.time_zone)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", meeting.updated_at)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", f"{meeting.group.name} — peer group meeting")
    if meeting.location or meeting.video_url:
        event.add("location", meeting.location or meeting.video_url)
    event.add("url", settings.BASE_URL + meeting.get_absolute_url())
    description = "Agenda and issues: " + settings.BASE_URL + meeting.get_absolute_url()
    if meeting.video_url:
        description = f"Join: {meeting.video_url}\n{description}"
    event.add("description", description)
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    return event


def calendar_ics(meetings: Iterable[Meeting], *, name: str) -> bytes:
    calendar = _calendar(name)
    meetings = list(meetings)
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting))
    if meetings:
        # Transitions only for the years the events span, not icalendar's 1970–2038.
        first = min(m.starts_at for m in meetings).date()
        last = max(m.ends_at for m in meetings).date()
        calendar.add_missing_timezones(
            first_date=date(first.year - 1, 1, 1), last_date=date(last.year + 2, 1, 1)
        )
    return calendar.to_ical()
