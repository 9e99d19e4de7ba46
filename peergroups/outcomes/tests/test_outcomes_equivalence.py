"""Program outcomes collected per cycle in SQL give exactly the figures (values, people,
and which are hidden and why) that adding every record to the table gave, on random
organizations: small groups so that primary and complementary suppression both bite,
people in two cycles and moved within a program, answers and records made after the
period ended, missing baselines, check-ins that came late."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from conftest import make_user
from peergroups.goals.models import CheckInStatus, Commitment, CommitmentCheckIn
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.meetings.models import Attendance, Issue, IssueCategory, Meeting
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import OrganizationRole, Program, Role
from peergroups.outcomes import selectors
from peergroups.outcomes.models import Baseline, Pulse

from .reference_outcomes import program_outcomes_record_by_record

NOW = datetime(2031, 7, 2, 12, tzinfo=UTC)  # June is over: April to June are shown
MONTHS = [date(2030, m, 1) for m in range(6, 13)] + [date(2031, m, 1) for m in range(1, 8)]


def moment(rng: random.Random, month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC) + timedelta(
        days=rng.randint(0, 40), hours=rng.randint(0, 23)
    )


def random_organization(cast, rng: random.Random) -> None:
    """Programs with one or two cycles of small groups, and a year of group life."""
    organization = cast.organization
    programs = [cast.program] + [
        Program.objects.create(organization=organization, name=f"Program {p}")
        for p in range(rng.randint(0, 2))
    ]
    people = [make_user(f"p{i}@acme.test", f"Person {i}") for i in range(rng.randint(8, 36))]
    OrganizationRole.objects.bulk_create(
        [OrganizationRole(organization=organization, user=u, role=Role.MEMBER) for u in people]
    )
    groups = []
    for program in programs:
        for cycle in range(1, rng.randint(1, 2) + 1):
            for g in range(rng.randint(1, 3)):
                groups.append(
                    PeerGroup.objects.create(
                        organization=organization,
                        program=program,
                        name=f"{program.name} C{cycle} G{g}",
                        cycle=cycle,
                    )
                )
    memberships = {}
    for user in people:
        for group in rng.sample(groups, rng.randint(1, min(3, len(groups)))):
            if (group.program_id, group.cycle, user.pk) in memberships:
                continue
            joined = moment(rng, rng.choice(MONTHS[:10]))
            # A move keeps the program join date of the first group.
            moved = rng.random() < 0.2
            memberships[(group.program_id, group.cycle, user.pk)] = GroupMembership(
                group=group,
                program_id=group.program_id,
                cycle=group.cycle,
                user=user,
                joined_at=joined,
                program_joined_at=joined - timedelta(days=rng.randint(1, 200)) if moved else None,
            )
    GroupMembership.objects.bulk_create(memberships.values())
    mine = {}
    for (_pid, _cycle, user_id), m in memberships.items():
        mine.setdefault(user_id, []).append(m.group)
    Baseline.objects.bulk_create(
        [
            Baseline(
                organization=organization,
                user=u,
                hours_per_week=rng.choice([None, rng.randint(30, 70)]),
                productivity=rng.randint(1, 7),
                margin_trend=rng.choice([-1, 0, 1]),
                goal_confidence=rng.choice([None, rng.randint(1, 7)]),
                recorded_at=moment(rng, rng.choice(MONTHS)),  # some after the period
            )
            for u in people
            if rng.random() < 0.8
        ]
    )
    pulses = []
    for u in people:
        for month in MONTHS:
            if rng.random() < 0.3:
                continue
            answered = rng.random() < 0.8
            pulses.append(
                Pulse(
                    organization=organization,
                    user=u,
                    group=rng.choice(mine[u.pk]),
                    month=month,
                    answered_at=moment(rng, month) if answered else None,
                    hours_per_week=rng.randint(30, 70) if answered else None,
                    productivity=rng.randint(1, 7) if answered else None,
                    margin_trend=rng.choice([-1, 0, 1]) if answered else None,
                    goal_confidence=rng.randint(1, 7) if answered else None,
                    meeting_value=rng.choice([None, rng.randint(1, 7)]) if answered else None,
                )
            )
    Pulse.objects.bulk_create(pulses)
    members_of = {}
    for (_pid, _cycle, user_id), m in memberships.items():
        members_of.setdefault(m.group.pk, []).append(user_id)
    for group in groups:
        members = members_of.get(group.pk, [])
        for month in MONTHS[-6:]:
            if not members or rng.random() < 0.3:
                continue
            starts = moment(rng, month)
            meeting = Meeting.objects.create(
                group=group, starts_at=starts, ends_at=starts + timedelta(hours=3)
            )
            Attendance.objects.bulk_create(
                [
                    Attendance(
                        meeting=meeting,
                        member_id=user_id,
                        status=rng.choice(["present", "present", "absent"]),
                        recorded_at=starts + timedelta(days=rng.choice([0, 0, 1, 20])),
                    )
                    for user_id in members
                    if rng.random() < 0.8
                ]
            )
            for user_id in rng.sample(members, min(len(members), rng.randint(0, 3))):
                Issue.objects.create(
                    group=group,
                    author_id=user_id,
                    title="An issue",
                    category=rng.choice(IssueCategory.values),
                    situation="-",
                    ask="-",
                    status="processed",
                    meeting=meeting,
                    created_at=starts - timedelta(days=rng.randint(0, 40)),
                )
                commitment = Commitment.objects.create(
                    group=group,
                    meeting=meeting,
                    member_id=user_id,
                    text="A commitment",
                    due_on=(starts + timedelta(days=rng.randint(0, 45))).date(),
                )
                for _ in range(rng.randint(0, 2)):
                    CommitmentCheckIn.objects.create(
                        commitment=commitment,
                        status=rng.choice(CheckInStatus.values),
                        created_at=starts + timedelta(days=rng.randint(1, 60)),
                    )


def figures(result: dict) -> list:
    return [
        (row["key"], row["label"], {key: figure for key, figure in row["cells"].items()})
        for row in result["rows"]
    ]


@pytest.mark.parametrize("seed", range(12))
def test_figures_collected_in_sql_are_the_figures_record_by_record(cast, seed):
    rng = random.Random(seed)
    random_organization(cast, rng)
    access = organization_access(cast.admin, "acme")
    programs = list(Program.objects.filter(organization=cast.organization))
    views = [selectors.OutcomeFilters()]
    for program in programs:
        views.append(selectors.OutcomeFilters(program_id=program.pk))
        for cycle in sorted(set(program.groups.values_list("cycle", flat=True))):
            views.append(selectors.OutcomeFilters(program_id=program.pk, cycle=cycle))
    hidden = shown = 0
    with time_machine.travel(NOW, tick=False):
        for filters in views:
            new = figures(selectors.program_outcomes(access=access, filters=filters))
            old = figures(program_outcomes_record_by_record(access=access, filters=filters))
            assert new == old, filters
            for _key, _label, cells in new:
                hidden += sum(not f.shown for f in cells.values())
                shown += sum(f.shown and f.value is not None for f in cells.values())
    # The draw exercises both sides of suppression, not only empty tables.
    assert hidden and shown


def test_the_comparison_sees_a_figure_that_differs(cast):
    """Guard: June's answers changed under the new computation only make the figures
    differ, so the equality above can fail."""
    random_organization(cast, random.Random(3))
    access = organization_access(cast.admin, "acme")
    with time_machine.travel(NOW, tick=False):
        old = figures(program_outcomes_record_by_record(access=access))
        Pulse.objects.filter(
            organization=cast.organization, month=date(2031, 6, 1), answered_at__isnull=False
        ).update(meeting_value=7, answered_at=datetime(2031, 6, 3, tzinfo=UTC))
        new = figures(selectors.program_outcomes(access=access))
    assert new != old
