"""Meeting reminders and the series top-up, run by `manage.py db_worker`.

`send_meeting_reminders` queues the reminders, `extend_meeting_series` the top-up of
each series to its horizon: two jobs, so sending reminders never writes meetings.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from peergroups.errors import DomainError
from peergroups.meetings import selectors
from peergroups.meetings.ical import calendar_ics
from peergroups.meetings.models import IssueStatus, Meeting, MeetingStatus, ReminderSent
from peergroups.ops.mail import retry_email
from peergroups.organizations.access import organization_access
from peergroups.organizations.recipients import recipients

logger = logging.getLogger(__name__)

REMIND_AHEAD = timedelta(hours=24)


def _recipients(meeting: Meeting, kind: str | None = None) -> list:
    """The group's members and facilitator who get its e-mail (`organizations.recipients`:
    never a deactivated person, never a kind they turned off)."""
    people = selectors.group_roster_users(group=meeting.group)
    if meeting.group.facilitator is not None:
        people.append(meeting.group.facilitator)
    return recipients(organization_id=meeting.group.organization_id, users=people, kind=kind)


def may_read_group_content(*, user, group) -> bool:
    """What the pages decide, asked for an e-mail: selectors.group_content_for_user."""
    try:
        access = organization_access(user, group.organization.slug)
        selectors.group_content_for_user(user=user, access=access, group_id=group.pk)
    except DomainError:
        return False
    return True


def reminder_claim(*, meeting: Meeting, user) -> bool:
    """Claim the one reminder for this meeting and person; False if already claimed.

    Call inside the transaction that sends the e-mail: if sending fails, the claim
    rolls back with it and a later run tries again. A second worker racing for the
    same row waits on the unique index and then gets False.
    """
    try:
        with transaction.atomic():
            ReminderSent.objects.create(meeting=meeting, user=user)
    except IntegrityError:
        return False
    return True


def reminders_send_now() -> int:
    """Send the reminders that are due; returns how many e-mails went out.

    Each e-mail is sent inside the transaction that claims its ReminderSent row, so
    a reminder is never sent twice (the unique constraint) and never lost (a failed
    send rolls the claim back for the next run).
    """
    now = timezone.now()
    meetings = (
        # A closed group meets no more: its stored meetings remind nobody.
        Meeting.objects.filter(
            starts_at__gt=now, starts_at__lte=now + REMIND_AHEAD, group__closed_at__isnull=True
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("group__organization", "group__facilitator")
    )
    sent = 0
    for meeting in meetings:
        steps = selectors.agenda_steps_of(group=meeting.group)
        titles = list(
            meeting.issues.filter(status=IssueStatus.SCHEDULED).values_list("title", flat=True)
        )
        ics = calendar_ics([meeting], name=f"{meeting.group.name} meeting")
        for person in _recipients(meeting):
            # Issue titles are group content: for those the pages would show them to.
            may_read = may_read_group_content(user=person, group=meeting.group)
            try:
                with transaction.atomic():
                    if not reminder_claim(meeting=meeting, user=person):
                        continue
                    _send(meeting, person, steps, titles if may_read else None, ics)
            except Exception:
                # One bad address or a mail-server hiccup must not stop the others;
                # the claim rolled back, so the next run tries this person again.
                logger.exception("reminder for meeting %s to user %s failed", meeting.pk, person.pk)
                continue
            sent += 1
    return sent


def _send(meeting: Meeting, person, steps, titles, ics: bytes) -> None:
    zone = selectors.viewer_time_zone(user=person, group=meeting.group)
    context = {
        "meeting": meeting,
        "person": person,
        "steps": steps,
        "titles": titles,
        "starts": meeting.starts_at.astimezone(zone),
        "ends": meeting.ends_at.astimezone(zone),
        "zone": zone.key,
        "link": settings.BASE_URL + meeting.get_absolute_url(),
    }
    message = EmailMessage(
        subject=f"Tomorrow: {meeting.group.name} meets {context['starts']:%a %-d %b, %H:%M}",
        body=render_to_string("meetings/email/reminder.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
    )
    message.attach("meeting.ics", ics, "text/calendar")
    message.send()


@task()
def meeting_reminders_send() -> int:
    sent = reminders_send_now()
    logger.info("meeting reminders sent: %s", sent)
    return sent


def meeting_change_message(meeting: Meeting, person) -> EmailMessage:
    """The e-mail for a moved or cancelled meeting, with the updated .ics (same UID, a
    higher SEQUENCE, so calendar apps update or remove the event they have)."""
    zone = selectors.viewer_time_zone(user=person, group=meeting.group)
    starts = meeting.starts_at.astimezone(zone)
    context = {
        "meeting": meeting,
        "person": person,
        "starts": starts,
        "ends": meeting.ends_at.astimezone(zone),
        "zone": zone.key,
        "cancelled": meeting.is_cancelled,
        "link": settings.BASE_URL + meeting.get_absolute_url(),
    }
    verb = "Cancelled" if meeting.is_cancelled else "Moved"
    message = EmailMessage(
        subject=f"{verb}: {meeting.group.name} meeting of {starts:%a %-d %b}",
        body=render_to_string("meetings/email/changed.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
    )
    ics = calendar_ics([meeting], name=f"{meeting.group.name} meeting")
    message.attach("meeting.ics", ics, "text/calendar")
    return message


@task()
@retry_email()
def meeting_change_send(meeting_id: int, acting_user_id: int | None = None) -> int:
    """Tell the group (not the facilitator who made the change) about a move or a cancel."""
    from peergroups.accounts.models import NotificationKind

    meeting = (
        Meeting.objects.select_related("group__organization", "group__facilitator")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        return 0
    sent = 0
    for person in _recipients(meeting, NotificationKind.MEETING_CHANGE):
        if person.pk == acting_user_id:
            continue
        meeting_change_message(meeting, person).send()
        sent += 1
    return sent
