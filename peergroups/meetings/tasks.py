"""Meeting reminders and the series top-up, run by `manage.py db_worker`.

`send_meeting_reminders` queues the reminders, `extend_meeting_series` the top-up of
each series to its horizon: two jobs, so sending reminders never writes meetings.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy
from django_tasks import task

from peergroups.errors import DomainError
from peergroups.formats import lazy_date, lazy_format
from peergroups.meetings import selectors
from peergroups.meetings.ical import calendar_ics, meeting_invitation_ics
from peergroups.meetings.models import (
    CalendarInvitationChoice,
    InvitationMethod,
    IssueStatus,
    Meeting,
    MeetingInvitationSent,
    MeetingStatus,
    ReminderSent,
)
from peergroups.ops.mail import email_message, in_recipient_language, retry_email
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


@in_recipient_language(lambda meeting, person, *_: (person, meeting.group.organization))
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
    email_message(
        to=person.email,
        subject=lazy_format(
            gettext_lazy("Tomorrow: %(group_name)s meets %(starts)s"),
            group_name=meeting.group.name,
            starts=lazy_date(context["starts"], "DATETIME_FORMAT"),
        ),
        template="meetings/email/reminder.txt",
        context=context,
        organization=meeting.group.organization,
        reply_to=meeting.group.reply_to_for(person),
        attachments=[("meeting.ics", ics, "text/calendar")],
    ).send()


@task()
def meeting_reminders_send() -> int:
    sent = reminders_send_now()
    logger.info("meeting reminders sent: %s", sent)
    return sent


@in_recipient_language(lambda meeting, person: (person, meeting.group.organization))
def meeting_change_message(meeting: Meeting, person) -> EmailMultiAlternatives:
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
    verb = pgettext_lazy("meeting", "Cancelled") if meeting.is_cancelled else gettext_lazy("Moved")
    ics = calendar_ics([meeting], name=f"{meeting.group.name} meeting")
    return email_message(
        to=person.email,
        subject=lazy_format(
            gettext_lazy("%(verb)s: %(group_name)s meeting of %(starts)s"),
            verb=verb,
            group_name=meeting.group.name,
            starts=lazy_date(starts, "DATE_FORMAT"),
        ),
        template="meetings/email/changed.txt",
        context=context,
        organization=meeting.group.organization,
        reply_to=meeting.group.reply_to_for(person),
        attachments=[("meeting.ics", ics, "text/calendar")],
    )


@task()
@retry_email()
def meeting_change_send(meeting_id: int, acting_user_id: int | None = None) -> int:
    """Tell the group (not the facilitator who made the change) about a move or a cancel:
    one e-mail per person, the calendar invitation's update for those who chose
    invitations, the ordinary e-mail for the others (unless they turned it off)."""
    from peergroups.accounts.models import NotificationKind

    meeting = (
        Meeting.objects.select_related("group__organization", "group__facilitator")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        return 0
    sent = 0
    invited = {person.pk for person in invitation_recipients(meeting)}
    for person in invitation_recipients(meeting):
        if person.pk != acting_user_id:
            with transaction.atomic():  # a failed send releases the claim for the retry
                sent += meeting_invitation_send(meeting, person)
    for person in _recipients(meeting, NotificationKind.MEETING_CHANGE):
        if person.pk == acting_user_id or person.pk in invited:
            continue
        meeting_change_message(meeting, person).send()
        sent += 1
    return sent


# --- calendar invitations (iMIP) -------------------------------------------------------

# Invitations go out for the meetings this close (a monthly group's next one or two);
# later ones follow as they come near, so choosing invitations is not a dozen e-mails.
INVITE_AHEAD = timedelta(days=42)


def invitation_recipients(meeting: Meeting) -> list:
    """The group's members (not its facilitator: the organizer) who chose calendar
    invitations in the meeting's organization and may get its e-mail."""
    chosen = set(
        CalendarInvitationChoice.objects.filter(
            organization_id=meeting.group.organization_id
        ).values_list("user_id", flat=True)
    )
    people = [u for u in selectors.group_roster_users(group=meeting.group) if u.pk in chosen]
    return recipients(organization_id=meeting.group.organization_id, users=people)


def _invitation_method(meeting: Meeting, person) -> str | None:
    """What this person's calendar needs now: REQUEST (new to it, or changed since the
    last one), CANCEL (cancelled after an invitation), or nothing."""
    sent = MeetingInvitationSent.objects.filter(meeting=meeting, user=person)
    if meeting.is_cancelled:
        invited = sent.filter(method=InvitationMethod.REQUEST).exists()
        cancelled = sent.filter(method=InvitationMethod.CANCEL).exists()
        return InvitationMethod.CANCEL if invited and not cancelled else None
    if sent.filter(sequence__gte=meeting.sequence).exists():
        return None
    return InvitationMethod.REQUEST


@in_recipient_language(lambda meeting, person, **_: (person, meeting.group.organization))
def meeting_invitation_message(meeting: Meeting, person, *, method: str, update: bool):
    """The iMIP e-mail: the text and HTML parts, and the invitation as a text/calendar
    alternative (Outlook's Accept / Decline) and as an attached .ics (other clients)."""
    group = meeting.group
    zone = selectors.viewer_time_zone(user=person, group=group)
    starts = meeting.starts_at.astimezone(zone)
    facilitator = group.facilitator
    organizer = (
        (facilitator.email, facilitator.full_name)
        if facilitator is not None
        else (
            group.organization.email_reply_to or settings.DEFAULT_FROM_EMAIL,
            group.organization.name,
        )
    )
    ics = meeting_invitation_ics(meeting, method=method, attendee=person, organizer=organizer)
    cancelled = method == InvitationMethod.CANCEL
    if cancelled:
        subject = lazy_format(
            gettext_lazy("Cancelled: %(group_name)s meeting, %(starts)s"),
            group_name=group.name,
            starts=lazy_date(starts, "DATETIME_FORMAT"),
        )
    elif update:
        subject = lazy_format(
            gettext_lazy("Updated invitation: %(group_name)s meeting, %(starts)s"),
            group_name=group.name,
            starts=lazy_date(starts, "DATETIME_FORMAT"),
        )
    else:
        subject = lazy_format(
            gettext_lazy("Invitation: %(group_name)s meeting, %(starts)s"),
            group_name=group.name,
            starts=lazy_date(starts, "DATETIME_FORMAT"),
        )
    message = email_message(
        to=person.email,
        subject=subject,
        template="meetings/email/invitation.txt",
        context={
            "meeting": meeting,
            "person": person,
            "starts": starts,
            "ends": meeting.ends_at.astimezone(zone),
            "zone": zone.key,
            "cancelled": cancelled,
            "update": update,
            "link": settings.BASE_URL + meeting.get_absolute_url(),
            "calendar_link": settings.BASE_URL
            + reverse("meetings-calendar", kwargs={"org_slug": group.organization.slug}),
        },
        organization=group.organization,
        reply_to=group.reply_to_for(person),
    )
    message.attach_alternative(ics.decode(), f"text/calendar; method={method}")
    message.attach("invite.ics", ics, "application/ics")
    return message


def meeting_invitation_claim(*, meeting: Meeting, user, method: str) -> bool:
    """Claim the one invitation e-mail of this change (the meeting's SEQUENCE) for this
    person; False if it went already. Call inside the transaction that sends it."""
    try:
        with transaction.atomic():
            MeetingInvitationSent.objects.create(
                meeting=meeting, user=user, sequence=meeting.sequence, method=method
            )
    except IntegrityError:
        return False
    return True


def meeting_invitation_send(meeting: Meeting, person) -> int:
    """Send what this person's calendar needs for this meeting, once per change (claimed
    in the caller's transaction). Returns 1 if an e-mail went, else 0."""
    method = _invitation_method(meeting, person)
    if method is None:
        return 0
    update = MeetingInvitationSent.objects.filter(meeting=meeting, user=person).exists()
    if not meeting_invitation_claim(meeting=meeting, user=person, method=method):
        return 0
    meeting_invitation_message(meeting, person, method=method, update=update).send()
    return 1


def meeting_invitations_send_now(now=None) -> int:
    """The job: each meeting of the next INVITE_AHEAD, and each cancelled one already
    invited, to whoever chose invitations and has not had this change yet. Returns how
    many e-mails went out."""
    now = now or timezone.now()
    organizations = CalendarInvitationChoice.objects.values_list("organization_id", flat=True)
    meetings = (
        Meeting.objects.filter(
            group__organization_id__in=organizations,
            group__closed_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + INVITE_AHEAD,
        )
        .select_related("group__organization", "group__facilitator")
        .order_by("starts_at")
    )
    sent = 0
    for meeting in meetings:
        for person in invitation_recipients(meeting):
            try:
                with transaction.atomic():
                    sent += meeting_invitation_send(meeting, person)
            except Exception:
                # One bad address must not stop the others; the claim rolled back.
                logger.exception(
                    "invitation for meeting %s to user %s failed", meeting.pk, person.pk
                )
    return sent


@task()
def meeting_invitations_send() -> int:
    sent = meeting_invitations_send_now()
    logger.info("meeting invitations sent: %s", sent)
    return sent
