"""iCalendar (RFC 5545) for meetings: the member's feed and a one-meeting download.

Times are written in the group's zone (DTSTART;TZID=...) with its VTIMEZONE, so a
calendar app shows 08:00 local even across daylight-saving switches. No issue text
or anything else confidential goes in: a feed URL can leak, and calendars sync to
third-party servers.
"""

import hashlib
from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext
from icalendar import Calendar, Event, vCalAddress, vText

from peergroups.meetings.models import CalendarFeed, Meeting, MeetingStatus
from peergroups.meetings.selectors import meetings_for_feed

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
    description = gettext("Agenda and issues: ") + settings.BASE_URL + meeting.get_absolute_url()
    if meeting.video_url:
        description = f"Join: {meeting.video_url}\n{description}"
    event.add("description", description)
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    return event


def _address(email: str, name: str, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name or email)
    address.params.update(params)
    return address


def meeting_invitation_ics(meeting: Meeting, *, method: str, attendee, organizer: tuple) -> bytes:
    """An iMIP message (RFC 6047) for one person: the meeting's event as the feed has it
    (the same UID and SEQUENCE, its zone's VTIMEZONE), with METHOD REQUEST (a new or
    changed meeting) or CANCEL, the group's facilitator as ORGANIZER (`organizer`:
    (e-mail, name)) and the recipient as the one ATTENDEE: no roster in anyone's inbox."""
    calendar = _calendar(f"{meeting.group.name} meeting")
    calendar.add("method", method)
    event = meeting_event(meeting)
    event.add("organizer", _address(*organizer))
    event.add(
        "attendee",
        _address(
            attendee.email,
            attendee.full_name,
            role="REQ-PARTICIPANT",
            partstat="NEEDS-ACTION",
            rsvp="TRUE",
        ),
    )
    if method == "CANCEL":
        event["status"] = "CANCELLED"
    calendar.add_component(event)
    year = meeting.starts_at.year
    calendar.add_missing_timezones(first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1))
    return calendar.to_ical()


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


# Everything of a meeting that its event shows: when none of it changed, neither did the feed.
FEED_FIELDS = (
    "pk",
    "uid",
    "sequence",
    "updated_at",
    "status",
    "starts_at",
    "ends_at",
    "location",
    "video_url",
    "group_id",
    "group__name",
    "group__time_zone",
)
FEED_CACHE_SECONDS = 3600


def feed_ics(feed: CalendarFeed) -> tuple[bytes, str]:
    """The feed's body and its ETag.

    Calendar apps poll a feed every few minutes and it rarely changes, while writing it
    is the costly part (icalendar, time zones). So the ETag is a digest of every field
    the events show, read in one light query, and the body is kept in the cache under
    it: a changed meeting, group name or zone makes a new key, in every process alike.
    """
    meetings = meetings_for_feed(user=feed.user, organization=feed.organization)
    name = gettext("Peer group meetings — %(organization_name)s") % {
        "organization_name": feed.organization.name
    }
    shown = (
        name,
        feed.organization.slug,
        settings.BASE_URL,
        list(meetings.values_list(*FEED_FIELDS)),
    )
    etag = hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()
    key = f"meetings:feed:{feed.pk}:{etag}"
    body = cache.get(key)
    if body is None:
        body = calendar_ics(meetings, name=name)
        cache.set(key, body, FEED_CACHE_SECONDS)
    return body, etag
