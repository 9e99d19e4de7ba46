"""Writes on schedules, agendas, issues, run-of-show records, agreements and feeds.

Callers have already resolved the group through selectors.group_content_for_user,
which is where access is decided; these functions keep the invariants.
"""

import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from peergroups.accounts.models import User
from peergroups.groups.models import PeerGroup
from peergroups.meetings.models import (
    DEFAULT_AGREEMENT,
    DEFAULT_PROTOCOL,
    HORIZON,
    AgendaStep,
    AgreementAcceptance,
    Attendance,
    CalendarFeed,
    CheckIn,
    Commitment,
    ConfidentialityAgreement,
    Issue,
    IssueStatus,
    IssueVote,
    Meeting,
    MeetingNote,
    MeetingSeries,
    MeetingStatus,
)
from peergroups.meetings.recurrence import occurrences
from peergroups.organizations.models import Organization, hash_token
from peergroups.organizations.services import audit


class MeetingClosed(Exception):
    """The meeting is over (closed or cancelled); its records can no longer change."""


# --- agenda protocol -------------------------------------------------------------------


def agenda_steps_ensure(*, group: PeerGroup) -> list[AgendaStep]:
    """The group's protocol, creating the default one the first time it is needed."""
    steps = list(group.agenda_steps.all())
    if steps:
        return steps
    with transaction.atomic():
        # Lock the group row so two first visits do not both create the default.
        PeerGroup.objects.select_for_update().filter(pk=group.pk).first()
        steps = list(group.agenda_steps.all())
        if not steps:
            steps = AgendaStep.objects.bulk_create(
                AgendaStep(group=group, position=i, kind=kind, title=title, minutes=minutes)
                for i, (kind, title, minutes) in enumerate(DEFAULT_PROTOCOL)
            )
    return steps


@transaction.atomic
def agenda_steps_replace(*, group: PeerGroup, steps: list[dict], acting_user: User) -> None:
    """Replace the protocol by `steps` (dicts of kind, title, minutes), in that order."""
    group.agenda_steps.all().delete()
    AgendaStep.objects.bulk_create(
        AgendaStep(group=group, position=i, **step) for i, step in enumerate(steps)
    )
    audit(
        organization=group.organization,
        acting_user=acting_user,
        action="agenda_protocol_change",
        group_id=group.pk,
    )


# --- schedule --------------------------------------------------------------------------


@transaction.atomic
def meeting_series_set(
    *,
    group: PeerGroup,
    acting_user: User | None,
    frequency: str,
    weekday: int,
    starts_on: date,
    start_time: time,
    end_time: time,
    time_zone: str,
    week_of_month: int | None = None,
    location: str = "",
    video_url: str = "",
) -> MeetingSeries:
    """Set the group's recurrence and re-time its future occurrences.

    Future occurrences keep their UID and get a higher SEQUENCE, so calendar apps
    update the events they have instead of showing duplicates; surplus ones are
    cancelled rather than deleted, so feeds can tell the apps to remove them.
    """
    series, _ = MeetingSeries.objects.update_or_create(
        group=group,
        defaults=dict(
            frequency=frequency,
            weekday=weekday,
            week_of_month=week_of_month if frequency == "monthly" else None,
            starts_on=starts_on,
            start_time=start_time,
            end_time=end_time,
            time_zone=time_zone,
            location=location,
            video_url=video_url,
            updated_at=timezone.now(),
        ),
    )
    if group.time_zone != time_zone:
        group.time_zone = time_zone
        group.save(update_fields=["time_zone"])
    now = timezone.now()
    future = list(
        Meeting.objects.select_for_update()
        .filter(group=group, starts_at__gt=now, closed_at__isnull=True)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
    )
    wanted = occurrences(
        frequency=series.frequency,
        weekday=series.weekday,
        week_of_month=series.week_of_month,
        starts_on=series.starts_on,
        start_time=series.start_time,
        end_time=series.end_time,
        time_zone=series.time_zone,
        after=now,
        count=HORIZON,
    )
    for meeting, (starts_at, ends_at) in zip(future, wanted, strict=False):
        meeting.series = series
        _meeting_update(
            meeting,
            starts_at=starts_at,
            ends_at=ends_at,
            status=MeetingStatus.SCHEDULED,
            location=location,
            video_url=video_url,
        )
    for meeting in future[len(wanted) :]:
        _meeting_update(meeting, status=MeetingStatus.CANCELLED)
    Meeting.objects.bulk_create(
        Meeting(
            group=group,
            series=series,
            starts_at=starts_at,
            ends_at=ends_at,
            location=location,
            video_url=video_url,
        )
        for starts_at, ends_at in wanted[len(future) :]
    )
    audit(
        organization=group.organization,
        acting_user=acting_user,
        action="meeting_series_set",
        group_id=group.pk,
        rule=series.describe(),
    )
    return series


@transaction.atomic
def meeting_series_extend(*, series: MeetingSeries) -> int:
    """Top the stored occurrences up to the horizon; returns how many were added."""
    now = timezone.now()
    last = (
        Meeting.objects.select_for_update()
        .filter(series=series)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    ahead = Meeting.objects.filter(series=series, starts_at__gt=now).count()
    if ahead >= HORIZON:
        return 0
    wanted = occurrences(
        frequency=series.frequency,
        weekday=series.weekday,
        week_of_month=series.week_of_month,
        starts_on=series.starts_on,
        start_time=series.start_time,
        end_time=series.end_time,
        time_zone=series.time_zone,
        after=max(last, now) if last else now,
        count=HORIZON - ahead,
    )
    Meeting.objects.bulk_create(
        Meeting(
            group_id=series.group_id,
            series=series,
            starts_at=starts_at,
            ends_at=ends_at,
            location=series.location,
            video_url=series.video_url,
        )
        for starts_at, ends_at in wanted
    )
    return len(wanted)


def _meeting_update(meeting: Meeting, **fields) -> None:
    changed = [name for name, value in fields.items() if getattr(meeting, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(meeting, name, fields[name])
    meeting.sequence += 1
    meeting.updated_at = timezone.now()
    meeting.save(update_fields=[*changed, "series", "sequence", "updated_at"])


@transaction.atomic
def meeting_move(
    *,
    meeting: Meeting,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    video_url: str,
    acting_user: User,
) -> Meeting:
    """Move one occurrence; the UID stays, the SEQUENCE goes up."""
    if meeting.closed_at is not None:
        raise MeetingClosed("This meeting has been closed.")
    _meeting_update(
        meeting,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        video_url=video_url,
        status=MeetingStatus.MOVED,
    )
    audit(
        organization=meeting.group.organization,
        acting_user=acting_user,
        action="meeting_move",
        meeting_id=meeting.pk,
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, acting_user: User) -> Meeting:
    """Cancel one occurrence; issues on its agenda go back to the queue."""
    if meeting.closed_at is not None:
        raise MeetingClosed("This meeting has been closed.")
    _meeting_update(meeting, status=MeetingStatus.CANCELLED)
    Issue.objects.filter(meeting=meeting, status=IssueStatus.SCHEDULED).update(
        status=IssueStatus.OPEN, meeting=None
    )
    audit(
        organization=meeting.group.organization,
        acting_user=acting_user,
        action="meeting_cancel",
        meeting_id=meeting.pk,
    )
    return meeting


# --- confidentiality agreement ---------------------------------------------------------


def agreement_current(*, group: PeerGroup) -> ConfidentialityAgreement:
    """The group's latest agreement; version 1 is the default text."""
    agreement = group.agreements.order_by("-version").first()
    if agreement is not None:
        return agreement
    try:
        with transaction.atomic():
            return ConfidentialityAgreement.objects.create(
                group=group, version=1, text=DEFAULT_AGREEMENT
            )
    except IntegrityError:  # created by a concurrent request
        return group.agreements.order_by("-version").first()


@transaction.atomic
def agreement_publish(
    *, group: PeerGroup, text: str, acting_user: User
) -> ConfidentialityAgreement:
    """A new version: every member must accept it before seeing group content again."""
    current = agreement_current(group=group)
    agreement = ConfidentialityAgreement.objects.create(
        group=group, version=current.version + 1, text=text.strip(), created_by=acting_user
    )
    audit(
        organization=group.organization,
        acting_user=acting_user,
        action="agreement_publish",
        group_id=group.pk,
        version=agreement.version,
    )
    return agreement


def agreement_accept(*, agreement: ConfidentialityAgreement, user: User) -> AgreementAcceptance:
    acceptance, _ = AgreementAcceptance.objects.get_or_create(agreement=agreement, user=user)
    return acceptance


# --- issues ----------------------------------------------------------------------------


def issue_submit(
    *,
    group: PeerGroup,
    author: User,
    title: str,
    category: str,
    situation: str,
    ask: str,
    urgency: int,
) -> Issue:
    issue = Issue(
        group=group,
        author=author,
        title=title.strip(),
        category=category,
        situation=situation.strip(),
        ask=ask.strip(),
        urgency=urgency,
    )
    issue.full_clean()
    issue.save()
    return issue


def issue_vote_set(*, issue: Issue, voter: User, vote: bool) -> bool:
    """Give or take back a member's one vote; the unique constraint keeps it at one."""
    if not vote:
        IssueVote.objects.filter(issue=issue, voter=voter).delete()
        return False
    try:
        with transaction.atomic():
            IssueVote.objects.create(issue=issue, voter=voter)
    except IntegrityError:
        pass  # already voted: a double click, or two tabs
    return True


@transaction.atomic
def agenda_issues_pick(*, meeting: Meeting, issues: list[Issue], acting_user: User) -> None:
    """Put exactly `issues` on the meeting's agenda; ones taken off go back to the queue."""
    if meeting.closed_at is not None or meeting.is_cancelled:
        raise MeetingClosed("This meeting is closed or cancelled.")
    picked = [issue.pk for issue in issues if issue.status != IssueStatus.PROCESSED]
    Issue.objects.filter(meeting=meeting, status=IssueStatus.SCHEDULED).exclude(
        pk__in=picked
    ).update(status=IssueStatus.OPEN, meeting=None)
    Issue.objects.filter(group=meeting.group, pk__in=picked).update(
        status=IssueStatus.SCHEDULED, meeting=meeting
    )


# --- run of show -----------------------------------------------------------------------


def _open(meeting: Meeting) -> None:
    if meeting.closed_at is not None:
        raise MeetingClosed("This meeting has been closed; its records are final.")


def meeting_step_set(*, meeting: Meeting, step: int, issue: Issue | None = None) -> None:
    _open(meeting)
    meeting.current_step = step
    meeting.current_issue = issue
    meeting.save(update_fields=["current_step", "current_issue"])


@transaction.atomic
def issue_mark_processed(*, meeting: Meeting, issue: Issue) -> None:
    _open(meeting)
    issue.status = IssueStatus.PROCESSED
    issue.meeting = meeting
    issue.processed_at = timezone.now()
    issue.save(update_fields=["status", "meeting", "processed_at"])
    if meeting.current_issue_id == issue.pk:
        meeting.current_issue = None
        meeting.save(update_fields=["current_issue"])


def meeting_note_add(
    *, meeting: Meeting, author: User, kind: str, text: str, issue: Issue | None = None
) -> MeetingNote:
    _open(meeting)
    return MeetingNote.objects.create(
        meeting=meeting, issue=issue, kind=kind, text=text.strip(), author=author
    )


def commitment_record(
    *,
    meeting: Meeting,
    member: User,
    text: str,
    acting_user: User,
    issue: Issue | None = None,
    due_on: date | None = None,
) -> Commitment:
    _open(meeting)
    return Commitment.objects.create(
        group_id=meeting.group_id,
        meeting=meeting,
        issue=issue,
        member=member,
        text=text.strip(),
        due_on=due_on or commitment_default_due(group=meeting.group, after=meeting.starts_at),
        created_by=acting_user,
    )


COMMITMENT_DEFAULT_DAYS = 30


def commitment_default_due(*, group: PeerGroup, after: datetime | None = None) -> date:
    """A commitment is due by the group's next meeting, so it comes up for review there.

    With no meeting scheduled after `after` (default: now), it is due in 30 days.
    """
    after = after or timezone.now()
    upcoming = (
        Meeting.objects.filter(group=group, starts_at__gt=after)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    if upcoming is not None:
        return upcoming.astimezone(ZoneInfo(group.time_zone)).date()
    return (after + timedelta(days=COMMITMENT_DEFAULT_DAYS)).date()


@transaction.atomic
def attendance_record(*, meeting: Meeting, statuses: dict[int, str], acting_user: User) -> None:
    """Record each member's attendance (user id -> status); recording again corrects it."""
    _open(meeting)
    for user_id, status in statuses.items():
        Attendance.objects.update_or_create(
            meeting=meeting,
            member_id=user_id,
            defaults={"status": status, "recorded_at": timezone.now()},
        )
    audit(
        organization=meeting.group.organization,
        acting_user=acting_user,
        action="attendance_record",
        meeting_id=meeting.pk,
        count=len(statuses),
    )


@transaction.atomic
def meeting_close(*, meeting: Meeting, acting_user: User) -> int:
    """Close the meeting; issues on its agenda that were not processed carry over.

    They go back to the queue with their votes, so they are first in line for the
    next meeting. Returns how many carried over.
    """
    _open(meeting)
    carried = Issue.objects.filter(meeting=meeting, status=IssueStatus.SCHEDULED).update(
        status=IssueStatus.OPEN, meeting=None
    )
    meeting.closed_at = timezone.now()
    meeting.current_issue = None
    meeting.save(update_fields=["closed_at", "current_issue"])
    audit(
        organization=meeting.group.organization,
        acting_user=acting_user,
        action="meeting_close",
        meeting_id=meeting.pk,
        carried_over=carried,
    )
    return carried


def check_in_save(
    *, meeting: Meeting, member: User, work: str, personal: str, rating: int
) -> CheckIn:
    _open(meeting)
    check_in, _ = CheckIn.objects.update_or_create(
        meeting=meeting,
        member=member,
        defaults={"work": work.strip(), "personal": personal.strip(), "rating": rating},
    )
    return check_in


# --- calendar feed ---------------------------------------------------------------------


@transaction.atomic
def calendar_feed_issue(*, user: User, organization: Organization) -> tuple[CalendarFeed, str]:
    """A new secret feed URL; the old one, if any, stops working at once."""
    calendar_feed_revoke(user=user, organization=organization)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        organization=organization, user=user, token_hash=hash_token(token)
    )
    return feed, token


def calendar_feed_revoke(*, user: User, organization: Organization) -> int:
    return CalendarFeed.objects.filter(
        organization=organization, user=user, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


# --- reminders -------------------------------------------------------------------------


def reminder_claim(*, meeting: Meeting, user: User) -> bool:
    """Claim the one reminder for this meeting and person; False if already claimed.

    Call inside the transaction that sends the e-mail: if sending fails, the claim
    rolls back with it and a later run tries again. A second worker racing for the
    same row waits on the unique index and then gets False.
    """
    from peergroups.meetings.models import ReminderSent

    try:
        with transaction.atomic():
            ReminderSent.objects.create(meeting=meeting, user=user)
    except IntegrityError:
        return False
    return True
