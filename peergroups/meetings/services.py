"""Writes on schedules, agendas, issues, run-of-show records, agreements and feeds.

Each service checks its own rules — who may do it (the group's facilitator, its
members), what state the meeting or issue must be in, the bounds of its input — and
raises a domain error from peergroups.errors with a sentence a person can read.
Pages and the API map those errors the same way. Which group content a viewer may
*read* is decided in selectors.group_content_for_user.
"""

import secrets
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from peergroups.accounts.models import User
from peergroups.audit.services import audit_record, audit_record_many
from peergroups.errors import Conflict, Invalid, NotFound, Refused, invalid_from, version_require
from peergroups.groups.models import PeerGroup
from peergroups.groups.selectors import MEMBER, group_member_ids, group_role
from peergroups.meetings.models import (
    CHECK_IN_TEXT_MAX,
    DEFAULT_AGREEMENT,
    DEFAULT_PROTOCOL,
    HORIZON,
    ISSUE_TEXT_MAX,
    MEETING_OPEN,
    NOTE_TEXT_MAX,
    AgendaStep,
    AgreementAcceptance,
    Attendance,
    AttendanceStatus,
    CalendarFeed,
    CalendarInvitationChoice,
    CheckIn,
    ConfidentialityAgreement,
    Issue,
    IssueStatus,
    IssueVote,
    Meeting,
    MeetingNote,
    MeetingSeries,
    MeetingStatus,
    MonthInterval,
)
from peergroups.meetings.recurrence import occurrence_dates
from peergroups.meetings.selectors import ONLY_FACILITATOR, agreement_latest
from peergroups.organizations.models import Organization, hash_token
from peergroups.textlimits import text_check

CHECK_IN_RATING = (1, 10)
STEP_MINUTES = (1, 600)

ONLY_MEMBERS_ISSUES = gettext_lazy("Members bring issues; the facilitator runs the queue.")
ONLY_MEMBERS_VOTE = gettext_lazy("Members vote; the facilitator picks from the queue.")
ONLY_MEMBERS_CHECK_IN = gettext_lazy("Check-ins are the members' own updates.")
ISSUE_PROCESSED = gettext_lazy("This issue has been processed already.")


class MeetingClosed(Conflict):
    """The meeting is over (closed or cancelled); its records can no longer change."""


def require_facilitator(*, group: PeerGroup, user: User | None) -> None:
    """The group's facilitator, or a system caller (`None`: a command, the demo)."""
    if user is not None and group.facilitator_id != user.pk:
        raise Refused(ONLY_FACILITATOR)


def require_member(*, group: PeerGroup, user: User, reason: str) -> None:
    if group_role(user=user, group=group) != MEMBER:
        raise Refused(reason)


def require_in_group(*, group: PeerGroup, user: User) -> None:
    if group_role(user=user, group=group) is None:
        raise Refused(gettext("Only the group's members and facilitator can do this."))


def idempotency_key_parse(value) -> uuid.UUID | None:
    """A create form's one-time key (a hidden field); None when absent or malformed."""
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


# --- defaults of a new group -----------------------------------------------------------


@transaction.atomic
def group_defaults_create(*, group: PeerGroup) -> None:
    """Give a new group the default agenda protocol and version 1 of the agreement.

    Called where a group is created or published (formation, the demo, tests), so no
    page GET has to write them. Idempotent: what the group already has is kept.
    """
    # Lock the group row so two callers do not both create the defaults.
    locked = (
        PeerGroup.objects.select_for_update()
        .filter(pk=group.pk)
        .values_list("organization__default_language", flat=True)
        .first()
    )
    with translation.override(locked or settings.LANGUAGE_CODE):
        if not group.agenda_steps.exists():
            AgendaStep.objects.bulk_create(
                AgendaStep(group=group, position=i, kind=kind, title=str(title), minutes=minutes)
                for i, (kind, title, minutes) in enumerate(DEFAULT_PROTOCOL)
            )
        if not group.agreements.exists():
            ConfidentialityAgreement.objects.create(
                group=group, version=1, text=str(DEFAULT_AGREEMENT)
            )


def group_defaults_create_many(*, group_ids: list[int]) -> None:
    """`group_defaults_create` for many new groups at once (publishing a formation):
    bulk inserts, for groups created in the caller's transaction that have none yet."""
    languages = dict(
        PeerGroup.objects.filter(pk__in=group_ids).values_list(
            "pk", "organization__default_language"
        )
    )
    defaults = {}  # language: (protocol, agreement), each written once
    for language in set(languages.values()):
        with translation.override(language):
            defaults[language] = (
                [(kind, str(title), minutes) for kind, title, minutes in DEFAULT_PROTOCOL],
                str(DEFAULT_AGREEMENT),
            )
    AgendaStep.objects.bulk_create(
        (
            AgendaStep(group_id=group_id, position=i, kind=kind, title=title, minutes=minutes)
            for group_id in group_ids
            for i, (kind, title, minutes) in enumerate(defaults[languages[group_id]][0])
        ),
        batch_size=1000,
    )
    ConfidentialityAgreement.objects.bulk_create(
        (
            ConfidentialityAgreement(
                group_id=group_id, version=1, text=defaults[languages[group_id]][1]
            )
            for group_id in group_ids
        ),
        batch_size=1000,
    )


# --- agenda protocol -------------------------------------------------------------------


@transaction.atomic
def agenda_steps_replace(*, group: PeerGroup, steps: list[dict], acting_user: User) -> None:
    """Replace the protocol by `steps` (dicts of kind, title, minutes), in that order."""
    require_facilitator(group=group, user=acting_user)
    if not steps:
        raise Invalid(gettext("The agenda needs at least one step."), field="steps")
    low, high = STEP_MINUTES
    for step in steps:
        if not low <= int(step["minutes"]) <= high:
            raise Invalid(
                gettext("A step lasts %(low)s to %(high)s minutes.") % {"low": low, "high": high},
                field="minutes",
            )
    replaced, _ = group.agenda_steps.all().delete()
    AgendaStep.objects.bulk_create(
        AgendaStep(group=group, position=i, **step) for i, step in enumerate(steps)
    )
    audit_record(
        organization=group.organization,
        actor=acting_user,
        action="agenda_protocol_change",
        target=group,
        before={"steps": replaced},
        after={"steps": len(steps)},
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
    interval: int = 1,
    location: str = "",
    video_url: str = "",
) -> MeetingSeries:
    """Set the group's recurrence and re-time its future occurrences.

    Future occurrences keep their UID and get a higher SEQUENCE, so calendar apps
    update the events they have instead of showing duplicates; surplus ones are
    cancelled rather than deleted, so feeds can tell the apps to remove them.
    """
    require_facilitator(group=group, user=acting_user)
    if end_time <= start_time:
        raise Invalid(gettext("The meeting must end after it starts."), field="end_time")
    if frequency == "monthly" and not week_of_month:
        raise Invalid(gettext("Say which week of the month, e.g. second."), field="week_of_month")
    if frequency != "monthly":
        interval = 1  # weekly and biweekly count weeks
    elif interval not in MonthInterval.values:
        raise Invalid(gettext("Choose every 1, 2, 3 or 6 months."), field="interval")
    previous = MeetingSeries.objects.filter(group=group).first()
    series, _ = MeetingSeries.objects.update_or_create(
        group=group,
        defaults=dict(
            frequency=frequency,
            weekday=weekday,
            week_of_month=week_of_month if frequency == "monthly" else None,
            interval=interval,
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
        .filter(MEETING_OPEN, group=group, starts_at__gt=now)
        .order_by("starts_at")
    )
    wanted = series.occurrences(after=now, count=HORIZON)
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
    audit_record(
        organization=group.organization,
        actor=acting_user,
        action="meeting_series_set",
        target=group,
        before={"rule": previous.describe()} if previous else {},
        after={"rule": series.describe()},
    )
    return series


# A program's cadence as a series frequency and, for monthly ones, the months between
# meetings: a quarterly program meets on the same weekday of the month every three months.
CADENCE_FREQUENCY = {
    "weekly": "weekly",
    "biweekly": "biweekly",
    "monthly": "monthly",
    "quarterly": "monthly",
}
CADENCE_INTERVAL = {"quarterly": MonthInterval.EVERY_THREE_MONTHS.value}
SLOT_TIMES = {"am": (time(9), time(12)), "pm": (time(14), time(17)), "eve": (time(18), time(21))}
SLOT_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4}
DEFAULT_SLOT = "tue-am"
FIRST_MEETING_AFTER_DAYS = 14  # time for members to clear their calendars


def schedule_proposal(*, group: PeerGroup) -> dict | None:
    """The schedule a new group starts with: the program's cadence, on the availability
    slot most members share, in the time zone most of its members share (ties go to the
    alphabetically first, so the answer is stable). None for a cadence a series cannot
    express."""
    from peergroups.people.models import MemberProfile

    if CADENCE_FREQUENCY.get(group.program.meeting_cadence) is None:
        return None
    profiles = list(
        MemberProfile.objects.filter(
            organization_id=group.organization_id, user__group_memberships__group=group
        ).values_list("time_zone", "availability")
    )
    return _schedule_from(program=group.program, profiles=profiles, fallback_zone=group.time_zone)


def first_meetings_default(*, program) -> date:
    """The day a new group's meetings start from: two weeks ahead, or the program's start."""
    starts_on = timezone.localdate() + timedelta(days=FIRST_MEETING_AFTER_DAYS)
    if program.starts_on and program.starts_on > starts_on:
        starts_on = program.starts_on
    return starts_on


def first_meeting_preview(*, program, availabilities: list[list[str]], starts_on: date):
    """The first meeting day a new group of members with these availabilities gets from
    `starts_on` (what publish will store, time zones aside): shown before publishing."""
    rule = _schedule_from(
        program=program,
        profiles=[("", availability) for availability in availabilities],
        fallback_zone="UTC",
        starts_on=starts_on,
    )
    if rule is None:
        return None
    return next(
        occurrence_dates(
            frequency=rule["frequency"],
            weekday=rule["weekday"],
            starts_on=rule["starts_on"],
            week_of_month=rule["week_of_month"],
            interval=rule["interval"],
        )
    )


def _schedule_from(
    *, program, profiles: list[tuple], fallback_zone: str, starts_on: date | None = None
) -> dict | None:
    """`schedule_proposal` from the members' (time zone, availability) pairs; meetings
    from `starts_on` (default `first_meetings_default`)."""
    from collections import Counter

    frequency = CADENCE_FREQUENCY.get(program.meeting_cadence)
    if frequency is None:
        return None
    zones = Counter(zone for zone, _ in profiles if zone)
    time_zone = min(zones, key=lambda z: (-zones[z], z)) if zones else fallback_zone
    slots = Counter(slot for _, availability in profiles for slot in availability or [])
    known = [slot for slot in slots if slot.split("-")[0] in SLOT_DAYS and "-" in slot]
    slot = min(known, key=lambda s: (-slots[s], s)) if known else DEFAULT_SLOT
    day, part = slot.split("-", 1)
    start_time, end_time = SLOT_TIMES.get(part, SLOT_TIMES["am"])
    starts_on = starts_on or first_meetings_default(program=program)
    return {
        "frequency": frequency,
        "weekday": SLOT_DAYS[day],
        "week_of_month": 2 if frequency == "monthly" else None,
        "interval": CADENCE_INTERVAL.get(program.meeting_cadence, 1),
        "starts_on": starts_on,
        "start_time": start_time,
        "end_time": end_time,
        "time_zone": time_zone,
    }


def group_schedules_default_many(
    *, groups: list[PeerGroup], members: dict[int, list[int]], starts_on: date | None = None
) -> int:
    """`group_schedule_default` for many groups just created in the caller's
    transaction (publishing a formation), in bulk: their series, their meetings to the
    horizon and one audit row each. `members` maps each group's id to its user ids;
    meetings from `starts_on` (the admin's choice), else the program's default.
    Returns the number of meetings created."""
    from peergroups.people.models import MemberProfile

    if not groups:
        return 0
    program = groups[0].program
    if CADENCE_FREQUENCY.get(program.meeting_cadence) is None:
        return 0
    profile = {
        user_id: (zone, availability)
        for user_id, zone, availability in MemberProfile.objects.filter(
            organization_id=program.organization_id,
            user_id__in=[u for ids in members.values() for u in ids],
        ).values_list("user_id", "time_zone", "availability")
    }
    now = timezone.now()
    series_all, rezoned = [], []
    for group in groups:
        rule = _schedule_from(
            program=program,
            profiles=[profile[u] for u in members.get(group.pk, ()) if u in profile],
            fallback_zone=group.time_zone,
            starts_on=starts_on,
        )
        series_all.append(MeetingSeries(group=group, updated_at=now, **rule))
        if group.time_zone != rule["time_zone"]:
            group.time_zone = rule["time_zone"]
            rezoned.append(group)
    MeetingSeries.objects.bulk_create(series_all, batch_size=1000)
    PeerGroup.objects.bulk_update(rezoned, ["time_zone"], batch_size=1000)
    meetings = [
        Meeting(group_id=series.group_id, series=series, starts_at=starts_at, ends_at=ends_at)
        for series in series_all
        for starts_at, ends_at in series.occurrences(after=now, count=HORIZON)
    ]
    Meeting.objects.bulk_create(meetings, batch_size=1000)
    audit_record_many(
        organization=program.organization_id,
        actor=None,
        action="meeting_series_set",
        rows=[
            {
                "object_type": "peergroup",
                "object_id": s.group_id,
                "before": {},
                "after": {"rule": s.describe()},
            }
            for s in series_all
        ],
    )
    return len(meetings)


def group_schedule_default(*, group: PeerGroup) -> MeetingSeries | None:
    """Give a newly published group its meetings (the system acts; the facilitator edits)."""
    proposal = schedule_proposal(group=group)
    if proposal is None:
        return None
    return meeting_series_set(group=group, acting_user=None, **proposal)


@transaction.atomic
def meeting_series_extend(*, series: MeetingSeries) -> int:
    """Top the stored occurrences up to the horizon; returns how many were added.

    Run for every series by `manage.py extend_meeting_series` (its own scheduled job;
    reminders only read what is stored).
    """
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
    wanted = series.occurrences(after=max(last, now) if last else now, count=HORIZON - ahead)
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


def meeting_series_extend_all() -> int:
    """Top every open group's series up to the horizon; returns how many occurrences were
    added. A closed group meets no more: its series is left as it was.

    One query finds the series short of the horizon (most are full on any given day);
    each of those is then topped up under its own lock, which checks again.
    """
    now = timezone.now()
    short = (
        MeetingSeries.objects.filter(group__closed_at__isnull=True)
        .annotate(ahead=Count("meetings", filter=Q(meetings__starts_at__gt=now)))
        .filter(ahead__lt=HORIZON)
        .order_by("pk")
    )
    return sum(meeting_series_extend(series=series) for series in short)


def _meeting_update(meeting: Meeting, **fields) -> None:
    changed = [name for name, value in fields.items() if getattr(meeting, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(meeting, name, fields[name])
    meeting.sequence += 1
    meeting.updated_at = timezone.now()
    meeting.save(update_fields=[*changed, "series", "sequence", "updated_at"])


def _locked_at(meeting: Meeting, version: int | None) -> Meeting:
    """The meeting's row, locked and read again into `meeting` (the caller's object sees
    the change), refused (`Stale`) when it changed since `version`."""
    group = meeting.group
    list(Meeting.objects.select_for_update().filter(pk=meeting.pk).values_list("pk"))  # lock
    meeting.refresh_from_db()
    meeting.group = group
    zone = ZoneInfo(group.time_zone)
    starts = meeting.starts_at.astimezone(zone)
    where = ", ".join(part for part in (meeting.location, meeting.video_url) if part)
    version_require(
        expected=version,
        current=meeting.sequence,
        now=(
            gettext("it is cancelled.")
            if meeting.status == MeetingStatus.CANCELLED
            else (
                gettext("it starts %(starts)s (%(zone)s) at %(where)s.")
                if where
                else gettext("it starts %(starts)s (%(zone)s).")
            )
            % {"starts": date_format(starts, "DATETIME_FORMAT"), "zone": zone.key, "where": where}
        ),
    )
    return meeting


def _meeting_change_notify(meeting: Meeting, acting_user: User | None) -> None:
    from peergroups.meetings.tasks import meeting_change_send

    meeting_id, actor_id = meeting.pk, getattr(acting_user, "pk", None)
    transaction.on_commit(lambda: meeting_change_send.enqueue(meeting_id, actor_id))


@transaction.atomic
def meeting_move(
    *,
    meeting: Meeting,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    video_url: str,
    acting_user: User,
    version: int | None = None,
) -> Meeting:
    """Move one occurrence; the UID stays, the SEQUENCE goes up.

    `version` is the SEQUENCE the edit was made from: every change raises it, so an
    edit from an older one (another tab) is refused (`Stale`) with the current values."""
    require_facilitator(group=meeting.group, user=acting_user)
    meeting = _locked_at(meeting, version)
    meeting_open_require(meeting=meeting, cancelled_ok=True)  # moving one reinstates it
    if ends_at <= starts_at:
        raise Invalid(gettext("The meeting must end after it starts."), field="end_time")
    before = {"starts_at": meeting.starts_at, "ends_at": meeting.ends_at, "status": meeting.status}
    _meeting_update(
        meeting,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        video_url=video_url,
        status=MeetingStatus.MOVED,
    )
    audit_record(
        organization=meeting.group.organization,
        actor=acting_user,
        action="meeting_move",
        target=meeting,
        before=before,
        after={
            "starts_at": meeting.starts_at,
            "ends_at": meeting.ends_at,
            "status": meeting.status,
        },
    )
    _meeting_change_notify(meeting, acting_user)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, acting_user: User, version: int | None = None) -> Meeting:
    """Cancel one occurrence; issues on its agenda go back to the queue."""
    require_facilitator(group=meeting.group, user=acting_user)
    meeting = _locked_at(meeting, version)
    meeting_open_require(meeting=meeting, cancelled_ok=True)
    before = {"status": meeting.status}
    _meeting_update(meeting, status=MeetingStatus.CANCELLED)
    Issue.objects.filter(meeting=meeting, status=IssueStatus.SCHEDULED).update(
        status=IssueStatus.OPEN, meeting=None
    )
    audit_record(
        organization=meeting.group.organization,
        actor=acting_user,
        action="meeting_cancel",
        target=meeting,
        before=before,
        after={"status": meeting.status},
    )
    _meeting_change_notify(meeting, acting_user)
    return meeting


# --- confidentiality agreement ---------------------------------------------------------


def agreement_current(*, group: PeerGroup) -> ConfidentialityAgreement:
    """The group's latest agreement, making the group's defaults first if it has none.

    For callers that made a group without group_defaults_create (the demo seeding,
    older scripts); never called from a page GET. Pages read selectors.agreement_latest.
    """
    latest = agreement_latest(group=group)
    if latest is None:
        group_defaults_create(group=group)
        latest = agreement_latest(group=group)
    return latest


@transaction.atomic
def agreement_publish(
    *, group: PeerGroup, text: str, acting_user: User
) -> ConfidentialityAgreement:
    """A new version: every member must accept it before seeing group content again."""
    require_facilitator(group=group, user=acting_user)
    text = text.strip()
    if not text:
        raise Invalid(gettext("Write the agreement's text."), field="text")
    latest = group.agreements.select_for_update().order_by("-version").first()
    agreement = ConfidentialityAgreement.objects.create(
        group=group,
        version=(latest.version if latest else 0) + 1,
        text=text,
        created_by=acting_user,
    )
    audit_record(
        organization=group.organization,
        actor=acting_user,
        action="agreement_publish",
        target=group,
        before={"version": latest.version} if latest else {},
        after={"version": agreement.version},
    )
    return agreement


def agreement_accept(*, agreement: ConfidentialityAgreement, user: User) -> AgreementAcceptance:
    require_in_group(group=agreement.group, user=user)
    if agreement.group.agreements.filter(version__gt=agreement.version).exists():
        raise Conflict(
            gettext("A newer version of the agreement has been published; read that one.")
        )
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
    idempotency_key: uuid.UUID | None = None,
) -> Issue:
    """A member brings an issue. The same form submitted twice (same key) makes one issue."""
    require_member(group=group, user=author, reason=ONLY_MEMBERS_ISSUES)
    if idempotency_key is not None:
        existing = Issue.objects.filter(author=author, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    title = text_check(title, field="title", limit=Issue._meta.get_field("title").max_length)
    situation = text_check(situation, field="situation", limit=ISSUE_TEXT_MAX)
    ask = text_check(ask, field="ask", limit=ISSUE_TEXT_MAX)
    issue = Issue(
        group=group,
        author=author,
        title=title,
        category=category,
        situation=situation,
        ask=ask,
        urgency=urgency,
        idempotency_key=idempotency_key,
    )
    try:
        issue.full_clean(validate_constraints=False)
    except ValidationError as error:
        raise invalid_from(error) from None
    try:
        with transaction.atomic():
            issue.save()
    except IntegrityError:
        # The same form posted twice at once: the other request made it.
        existing = Issue.objects.filter(author=author, idempotency_key=idempotency_key).first()
        if idempotency_key is None or existing is None:
            raise
        return existing
    return issue


def issue_vote_set(*, issue: Issue, voter: User, vote: bool) -> bool:
    """Give or take back a member's one vote; the unique constraint keeps it at one."""
    require_member(group=issue.group, user=voter, reason=ONLY_MEMBERS_VOTE)
    if issue.status == IssueStatus.PROCESSED:
        raise Conflict(ISSUE_PROCESSED)
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
    require_facilitator(group=meeting.group, user=acting_user)
    meeting_open_require(meeting=meeting)
    picked = [issue.pk for issue in issues if issue.status != IssueStatus.PROCESSED]
    Issue.objects.filter(meeting=meeting, status=IssueStatus.SCHEDULED).exclude(
        pk__in=picked
    ).update(status=IssueStatus.OPEN, meeting=None)
    Issue.objects.filter(group=meeting.group, pk__in=picked).update(
        status=IssueStatus.SCHEDULED, meeting=meeting
    )


# --- run of show -----------------------------------------------------------------------


def meeting_open_require(*, meeting: Meeting, cancelled_ok: bool = False) -> None:
    """Refuse (`MeetingClosed`) a change to a meeting that is not open (`Meeting.is_open`):
    a closed meeting's records are final and a cancelled one has none. `cancelled_ok`:
    the schedule's own changes (move, cancel), which a cancelled meeting still takes."""
    if meeting.is_closed:
        raise MeetingClosed(gettext("This meeting has been closed; its records are final."))
    if meeting.is_cancelled and not cancelled_ok:
        raise MeetingClosed(gettext("This meeting is cancelled; it has no records."))


def _require_on_agenda(*, meeting: Meeting, issue: Issue) -> None:
    if not Issue.objects.filter(pk=issue.pk, meeting=meeting).exists():
        raise NotFound(gettext("No such issue on this agenda."))


def meeting_step_set(
    *, meeting: Meeting, step: int, acting_user: User, issue: Issue | None = None
) -> None:
    require_facilitator(group=meeting.group, user=acting_user)
    meeting_open_require(meeting=meeting)
    steps = meeting.group.agenda_steps.count()
    if not 0 <= step < max(steps, 1):
        raise Invalid(gettext("The agenda has %(steps)s steps.") % {"steps": steps}, field="step")
    if issue is not None:
        _require_on_agenda(meeting=meeting, issue=issue)
    meeting.current_step = step
    meeting.current_issue = issue
    meeting.save(update_fields=["current_step", "current_issue"])


@transaction.atomic
def issue_mark_processed(*, meeting: Meeting, issue: Issue, acting_user: User) -> None:
    require_facilitator(group=meeting.group, user=acting_user)
    meeting_open_require(meeting=meeting)
    _require_on_agenda(meeting=meeting, issue=issue)
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
    require_in_group(group=meeting.group, user=author)
    meeting_open_require(meeting=meeting)
    if issue is not None and issue.group_id != meeting.group_id:
        raise NotFound(gettext("No such issue in this group."))
    text = text_check(text, field="text", limit=NOTE_TEXT_MAX, blank=gettext("Write the note."))
    return MeetingNote.objects.create(
        meeting=meeting, issue=issue, kind=kind, text=text, author=author
    )


@transaction.atomic
def attendance_record(*, meeting: Meeting, statuses: dict[int, str], acting_user: User) -> None:
    """Record each member's attendance (user id -> status); recording again corrects it."""
    require_facilitator(group=meeting.group, user=acting_user)
    meeting_open_require(meeting=meeting)
    strangers = sorted(set(statuses) - group_member_ids(group=meeting.group))
    if strangers:
        raise Invalid(
            gettext("Not members of this group: %(strangers)s") % {"strangers": strangers},
            field="member_id",
        )
    unknown = sorted(set(statuses.values()) - set(AttendanceStatus.values))
    if unknown:
        raise Invalid(
            gettext("Unknown attendance status: %(unknown)s") % {"unknown": unknown}, field="status"
        )
    recorded = dict(
        Attendance.objects.filter(meeting=meeting, member_id__in=statuses).values_list(
            "member_id", "status"
        )
    )
    for user_id, status in statuses.items():
        Attendance.objects.update_or_create(
            meeting=meeting,
            member_id=user_id,
            defaults={"status": status, "recorded_at": timezone.now()},
        )
    # Statuses, never names: [member id, status] pairs, as recorded before and now.
    audit_record(
        organization=meeting.group.organization,
        actor=acting_user,
        action="attendance_record",
        target=meeting,
        before={"statuses": sorted([user_id, status] for user_id, status in recorded.items())},
        after={"statuses": sorted([user_id, status] for user_id, status in statuses.items())},
    )


@transaction.atomic
def meeting_close(*, meeting: Meeting, acting_user: User) -> int:
    """Close the meeting; issues on its agenda that were not processed carry over.

    They go back to the queue with their votes, so they are first in line for the
    next meeting. Returns how many carried over.
    """
    require_facilitator(group=meeting.group, user=acting_user)
    meeting_open_require(meeting=meeting)
    carried = Issue.objects.filter(meeting=meeting, status=IssueStatus.SCHEDULED).update(
        status=IssueStatus.OPEN, meeting=None
    )
    meeting.closed_at = timezone.now()
    meeting.current_issue = None
    meeting.save(update_fields=["closed_at", "current_issue"])
    audit_record(
        organization=meeting.group.organization,
        actor=acting_user,
        action="meeting_close",
        target=meeting,
        before={"closed_at": None},
        after={"closed_at": meeting.closed_at, "carried_over": carried},
    )
    return carried


def check_in_save(
    *, meeting: Meeting, member: User, work: str, personal: str, rating: int
) -> CheckIn:
    require_member(group=meeting.group, user=member, reason=ONLY_MEMBERS_CHECK_IN)
    meeting_open_require(meeting=meeting)
    low, high = CHECK_IN_RATING
    if not low <= rating <= high:
        raise Invalid(
            gettext("The rating is from %(low)s to %(high)s.") % {"low": low, "high": high},
            field="rating",
        )
    work = text_check(
        work, field="work", limit=CHECK_IN_TEXT_MAX, blank=gettext("Say what is going on at work.")
    )
    personal = text_check(personal, field="personal", limit=CHECK_IN_TEXT_MAX)
    check_in, _ = CheckIn.objects.update_or_create(
        meeting=meeting,
        member=member,
        defaults={"work": work, "personal": personal, "rating": rating},
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


def calendar_invitations_set(*, user: User, organization, on: bool) -> bool:
    """A member's choice: each meeting of their groups here as a calendar invitation
    e-mail (on), or the feed only (off). Their own inbox: not audited. Returns `on`."""
    if on:
        CalendarInvitationChoice.objects.get_or_create(user=user, organization=organization)
    else:
        CalendarInvitationChoice.objects.filter(user=user, organization=organization).delete()
    return on
