"""A year of history for each demo group, so every dashboard shows figures on first run:
twelve monthly meetings already held (closed, attendance recorded), an issue processed
at each, the presenter's commitment checked in at the next, and monthly goal updates.

Written with the ORM in bulk, not through the services: the services keep today's rules
(a meeting is run on its day, records are final once closed), and history is made of
meetings whose day has passed.
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from peergroups.demo.data import DEMO_ISSUES
from peergroups.goals.models import (
    CheckInStatus,
    Commitment,
    CommitmentCheckIn,
    GoalUpdate,
    KeyGoal,
)
from peergroups.groups.models import PeerGroup
from peergroups.meetings.models import Attendance, AttendanceStatus, Issue, IssueStatus, Meeting
from peergroups.meetings.recurrence import nth_weekday
from peergroups.organizations.models import Organization

MONTHS = 12
COMMITMENTS = [
    "Hold a skip-level conversation with each team lead.",
    "Write the hiring scorecard and share it with the panel.",
    "Say no to one recurring meeting and protect the time.",
    "Give the hard feedback I have been postponing.",
]


def _held_on(today: date, months_back: int) -> date:
    """The second Tuesday of the month `months_back` before this one."""
    year, month = today.year, today.month - months_back
    while month < 1:
        month += 12
        year -= 1
    return nth_weekday(year, month, 1, 2)


def seed_history(*, organization: Organization, rng: random.Random, today: date) -> None:
    groups = PeerGroup.objects.filter(program__organization=organization).order_by("pk")
    year_ago = datetime.combine(today - timedelta(days=380), time(9), tzinfo=UTC)
    groups.update(created_at=year_ago)
    for group in groups:
        members = [m.user for m in group.memberships.select_related("user")]
        if not members:
            continue
        held = []
        for back in range(MONTHS, 0, -1):
            day = _held_on(today, back)
            starts = datetime.combine(day, time(13), tzinfo=UTC)
            held.append(
                Meeting(
                    group=group,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=4),
                    location=f"{group.name}, Northwind offices",
                    closed_at=starts + timedelta(hours=4),
                    updated_at=starts + timedelta(hours=4),
                )
            )
        held = Meeting.objects.bulk_create(held)
        attendance, issues, commitments = [], [], []
        for n, meeting in enumerate(held):
            for member in members:
                roll = rng.random()
                status = (
                    AttendanceStatus.PRESENT
                    if roll < 0.82
                    else AttendanceStatus.EXCUSED
                    if roll < 0.93
                    else AttendanceStatus.ABSENT
                )
                attendance.append(Attendance(meeting=meeting, member=member, status=status))
            title, category, situation, ask, urgency = DEMO_ISSUES[n % len(DEMO_ISSUES)]
            presenter = members[n % len(members)]
            issues.append(
                Issue(
                    group=group,
                    author=presenter,
                    title=title,
                    category=category,
                    situation=situation,
                    ask=ask,
                    urgency=urgency,
                    status=IssueStatus.PROCESSED,
                    meeting=meeting,
                    created_at=meeting.starts_at - timedelta(days=10),
                    processed_at=meeting.starts_at + timedelta(hours=2),
                )
            )
        Attendance.objects.bulk_create(attendance)
        issues = Issue.objects.bulk_create(issues)
        for n, (meeting, issue) in enumerate(zip(held, issues, strict=True)):
            commitments.append(
                Commitment(
                    group=group,
                    meeting=meeting,
                    issue=issue,
                    member=issue.author,
                    text=COMMITMENTS[n % len(COMMITMENTS)],
                    due_on=(meeting.starts_at + timedelta(days=28)).date(),
                    created_by=group.facilitator,
                    created_at=meeting.starts_at + timedelta(hours=3),
                )
            )
        commitments = Commitment.objects.bulk_create(commitments)
        statuses = [CheckInStatus.DONE] * 6 + [CheckInStatus.PARTLY] * 3 + [CheckInStatus.NOT_DONE]
        CommitmentCheckIn.objects.bulk_create(
            CommitmentCheckIn(
                commitment=commitment,
                status=rng.choice(statuses),
                created_by=commitment.member,
                created_at=datetime.combine(commitment.due_on, time(9), tzinfo=UTC),
            )
            for commitment in commitments
        )
    _goal_progress(organization=organization, rng=rng, today=today)


def _goal_progress(*, organization: Organization, rng: random.Random, today: date) -> None:
    """Monthly updates that move each demo goal most of the way to its target."""
    goals = KeyGoal.objects.filter(organization=organization)
    goals.update(starts_on=today - timedelta(days=30 * MONTHS))
    updates = []
    for goal in goals:
        span = goal.target - goal.baseline
        value = goal.baseline
        for back in range(MONTHS - 1, -1, -1):
            step = Decimal(rng.uniform(0.02, 0.1)).quantize(Decimal("0.01"))
            value = min(goal.target, value + span * step)
            updates.append(
                GoalUpdate(
                    goal=goal,
                    value=value.quantize(Decimal("0.01")),
                    created_at=datetime.combine(
                        today - timedelta(days=30 * back + 1), time(9), tzinfo=UTC
                    ),
                )
            )
    GoalUpdate.objects.bulk_create(updates)
