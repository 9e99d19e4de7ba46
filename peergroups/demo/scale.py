"""A large organization for benchmarks and scale tests: `manage.py seed_scale --members N`.

The same for a given size and seed, built with bulk writes only (about 20 s for 10,000
members on PostgreSQL). Proportions follow a running program: groups of 6 to 10 (about
1,200 for 10,000 members), 12 monthly meetings per group (half held, with attendance,
processed issues, commitments and check-ins), an open issue queue, every member's
agreement accepted, a third of the members with a shared goal and its updates.

Three logins use the demo password: `admin@<slug>.example`, `member@<slug>.example`
(in the first group) and `facilitator@<slug>.example` (its facilitator).
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from peergroups.accounts.models import User
from peergroups.api.services import token_create
from peergroups.demo.data import COMPANIES, FIRST_NAMES, FUNCTIONS, LAST_NAMES, LEVELS, REGIONS
from peergroups.demo.people import seed_pick_lists
from peergroups.goals.models import (
    Commitment,
    CommitmentCheckIn,
    GoalUpdate,
    KeyGoal,
    Visibility,
)
from peergroups.groups.models import GroupMembership, PeerGroup
from peergroups.groups.seats import seats_of_new_group
from peergroups.meetings.models import (
    DEFAULT_AGREEMENT,
    DEFAULT_PROTOCOL,
    AgendaStep,
    AgreementAcceptance,
    Attendance,
    ConfidentialityAgreement,
    Issue,
    IssueCategory,
    IssueStatus,
    IssueVote,
    Meeting,
)
from peergroups.meetings.services import calendar_feed_issue
from peergroups.organizations.models import (
    MAX_GROUP_SIZE,
    GroupingBasis,
    MeetingCadence,
    Organization,
    OrganizationRole,
    Program,
    Role,
)
from peergroups.people.models import FacilitatorProfile, FacilitatorStatus, MemberProfile
from peergroups.people.vocabulary import AREA_KEYS

DEMO_PASSWORD = "peergroups-demo"
BATCH = 2000
MEETINGS_PER_GROUP = 12
HELD_MEETINGS = 6  # the first six are past, the other six ahead
GROUPS_PER_FACILITATOR = 3
UNGROUPED_SHARE = 0.03  # members who joined after the groups were formed


@dataclass(frozen=True)
class ScaleResult:
    organization: Organization
    counts: dict[str, int]


def logins(slug: str) -> dict[str, str]:
    return {
        "admin": f"admin@{slug}.example",
        "member": f"member@{slug}.example",
        "facilitator": f"facilitator@{slug}.example",
    }


@transaction.atomic
def scale_seed(*, members: int, slug: str = "scale", seed: int = 1) -> ScaleResult:
    """Create the organization `slug` with `members` members and a year of group life."""
    if Organization.objects.filter(slug=slug).exists():
        raise ValueError(f"The organization “{slug}” exists already.")
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    emails = logins(slug)
    demo_hash = make_password(DEMO_PASSWORD)
    admin = User.objects.create(email=emails["admin"], full_name="Avery Admin", password=demo_hash)
    organization = Organization.objects.create(name=f"Scale {members:,}", slug=slug)
    # Its lists, as every organization has them (issue 20): members' values are entries.
    seed_pick_lists(organization=organization)
    OrganizationRole.objects.create(organization=organization, user=admin, role=Role.ADMIN)
    program = Program.objects.create(
        organization=organization,
        name="Leaders Circle",
        min_group_size=6,
        max_group_size=10,
        grouping_basis=GroupingBasis.MIXED,
        meeting_cadence=MeetingCadence.MONTHLY,
        starts_on=(now - timedelta(days=180)).date(),
    )
    people = _members(rng, organization, program, members, slug, demo_hash, now)
    grouped = people[: members - int(members * UNGROUPED_SHARE)]
    sizes = _group_sizes(rng, len(grouped))
    facilitators = _facilitators(
        rng, organization, admin, -(-len(sizes) // GROUPS_PER_FACILITATOR), slug, demo_hash, now
    )
    groups, seats = _groups(rng, organization, program, grouped, sizes, facilitators, now)
    counts = {"members": len(people), "groups": len(groups), "facilitators": len(facilitators)}
    counts |= _group_life(rng, groups, seats, now)
    counts |= _goals(rng, organization, groups, seats, now)
    return ScaleResult(organization=organization, counts=counts)


def _members(rng, organization, program, count, slug, demo_hash, now) -> list[User]:
    regions = list(REGIONS)
    industries = list(COMPANIES)
    users, profiles = [], []
    for index in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        user = User(
            email=f"member{index}@{slug}.example" if index else logins(slug)["member"],
            full_name=f"{first} {last}",
            password=demo_hash if index == 0 else "!",  # "!": unusable, as for the invited
        )
        industry = rng.choice(industries)
        company, size, stage = rng.choice(COMPANIES[industry])
        level, _weight, team, years = rng.choices(LEVELS, weights=[w for _, w, *_ in LEVELS])[0]
        region = rng.choice(regions)
        complete = rng.random() < 0.9
        users.append(user)
        profiles.append(
            MemberProfile(
                organization=organization,
                program=program,
                region=region,
                time_zone=REGIONS[region],
                locale="en-US",
                industry=industry,
                function=rng.choice(FUNCTIONS[industry]),
                management_level=level,
                team_size=rng.randint(*team),
                years_managing=rng.randint(*years),
                company=company,
                company_size=size,
                company_stage=stage,
                expertise=rng.sample(sorted(AREA_KEYS), 2) if complete else [],
                completed_at=now - timedelta(days=rng.randint(200, 400)) if complete else None,
            )
        )
    User.objects.bulk_create(users, batch_size=BATCH)
    for user, profile in zip(users, profiles, strict=True):
        profile.user, profile.sort_name = user, user.full_name
    MemberProfile.objects.bulk_create(profiles, batch_size=BATCH)
    OrganizationRole.objects.bulk_create(
        (OrganizationRole(organization=organization, user=u, role=Role.MEMBER) for u in users),
        batch_size=BATCH,
    )
    return users


def _group_sizes(rng: random.Random, people: int) -> list[int]:
    sizes = []
    while people > 0:
        size = rng.choice((6, 7, 8, 8, 9, 9, 10))
        if people - size < 6:  # no group left below the minimum
            size = people if people <= 10 else people - 6
        sizes.append(size)
        people -= size
    return sizes


def _facilitators(rng, organization, admin, count, slug, demo_hash, now) -> list[User]:
    users = [
        User(
            email=f"facilitator{index}@{slug}.example" if index else logins(slug)["facilitator"],
            full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            password=demo_hash if index == 0 else "!",
        )
        for index in range(count)
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    FacilitatorProfile.objects.bulk_create(
        (
            FacilitatorProfile(
                organization=organization,
                user=user,
                built_own_business=True,
                trained_feedback_coach=True,
                expertise=rng.sample(sorted(AREA_KEYS), 3),
                capacity=GROUPS_PER_FACILITATOR,
                regions_served=[rng.choice(list(REGIONS))],
                status=FacilitatorStatus.APPROVED,
                applied_at=now - timedelta(days=400),
                reviewed_at=now - timedelta(days=390),
                reviewed_by=admin,
            )
            for user in users
        ),
        batch_size=BATCH,
    )
    OrganizationRole.objects.bulk_create(
        (OrganizationRole(organization=organization, user=u, role=Role.FACILITATOR) for u in users),
        batch_size=BATCH,
    )
    return users


def _groups(rng, organization, program, people, sizes, facilitators, now):
    joined = now - timedelta(days=200)
    groups, seats = [], []
    start = 0
    for index, size in enumerate(sizes):
        region = list(REGIONS)[index % len(REGIONS)]
        groups.append(
            PeerGroup(
                organization=organization,
                program=program,
                name=f"{region} Circle {index + 1}",
                facilitator=facilitators[index // GROUPS_PER_FACILITATOR],
                capacity=MAX_GROUP_SIZE,
                member_count=seats_of_new_group(
                    name=f"{region} Circle {index + 1}", members=size, capacity=MAX_GROUP_SIZE
                ),
                time_zone=REGIONS[region],
                created_at=joined,
            )
        )
        seats.append(people[start : start + size])
        start += size
    PeerGroup.objects.bulk_create(groups, batch_size=BATCH)
    GroupMembership.objects.bulk_create(
        (
            GroupMembership(group=g, program=program, cycle=1, user=u, joined_at=joined)
            for g, members in zip(groups, seats, strict=True)
            for u in members
        ),
        batch_size=BATCH,
    )
    AgendaStep.objects.bulk_create(
        (
            AgendaStep(group=g, position=i, kind=kind, title=title, minutes=minutes)
            for g in groups
            for i, (kind, title, minutes) in enumerate(DEFAULT_PROTOCOL)
        ),
        batch_size=BATCH,
    )
    agreements = ConfidentialityAgreement.objects.bulk_create(
        (ConfidentialityAgreement(group=g, version=1, text=DEFAULT_AGREEMENT) for g in groups),
        batch_size=BATCH,
    )
    AgreementAcceptance.objects.bulk_create(
        (
            AgreementAcceptance(agreement=a, user=u, accepted_at=joined)
            for a, members in zip(agreements, seats, strict=True)
            for u in members
        ),
        batch_size=BATCH,
    )
    return groups, seats


def _group_life(rng, groups, seats, now) -> dict[str, int]:
    first = (now - timedelta(days=30 * HELD_MEETINGS)).date()
    meetings = []
    for group in groups:
        for month in range(MEETINGS_PER_GROUP):
            day = first + timedelta(days=30 * month)
            starts = datetime.combine(day, time(14, 0), tzinfo=UTC)
            meetings.append(
                Meeting(
                    group=group,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=4),
                    location=f"{group.name}, main office",
                    closed_at=starts + timedelta(hours=4) if starts < now else None,
                )
            )
    Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    categories = IssueCategory.values
    attendance, issues, open_issues, commitments = [], [], [], []
    for g, (group, members) in enumerate(zip(groups, seats, strict=True)):
        for meeting in meetings[g * MEETINGS_PER_GROUP : g * MEETINGS_PER_GROUP + HELD_MEETINGS]:
            for user in members:
                status = "present" if rng.random() < 0.85 else rng.choice(("absent", "excused"))
                attendance.append(Attendance(meeting=meeting, member=user, status=status))
            for user in rng.sample(members, min(2, len(members))):
                issues.append(
                    Issue(
                        group=group,
                        author=user,
                        title="How do I keep a strong performer from leaving?",
                        category=rng.choice(categories),
                        situation="The situation, in a few sentences.",
                        ask="What would you do in my place?",
                        status=IssueStatus.PROCESSED,
                        meeting=meeting,
                        created_at=meeting.starts_at - timedelta(days=5),
                        processed_at=meeting.starts_at,
                    )
                )
                commitments.append(
                    Commitment(
                        group=group,
                        meeting=meeting,
                        member=user,
                        text="Hold a one-to-one with each direct report.",
                        due_on=(meeting.starts_at + timedelta(days=28)).date(),
                        created_by=user,
                        created_at=meeting.starts_at,
                    )
                )
        for user in rng.sample(members, min(3, len(members))):
            open_issues.append(
                Issue(
                    group=group,
                    author=user,
                    title="Should I restructure my team before the next quarter?",
                    category=rng.choice(categories),
                    situation="The situation, in a few sentences.",
                    ask="What have you tried?",
                    urgency=rng.randint(1, 3),
                    created_at=now - timedelta(days=rng.randint(1, 20)),
                )
            )
    Attendance.objects.bulk_create(attendance, batch_size=BATCH)
    Issue.objects.bulk_create(issues + open_issues, batch_size=BATCH)
    author_group = {}
    for members in seats:
        for user in members:
            author_group[user.pk] = members
    IssueVote.objects.bulk_create(
        (
            IssueVote(issue=issue, voter=voter)
            for issue in open_issues
            for voter in author_group[issue.author_id][: rng.randint(0, 4)]
            if voter.pk != issue.author_id
        ),
        batch_size=BATCH,
    )
    Commitment.objects.bulk_create(commitments, batch_size=BATCH)
    check_ins = [
        CommitmentCheckIn(
            commitment=c,
            status=rng.choice(("done", "done", "partly", "not_done")),
            created_by=c.member,
            created_at=c.created_at + timedelta(days=20),
        )
        for c in commitments
        if c.created_at + timedelta(days=20) < now and rng.random() < 0.8
    ]
    CommitmentCheckIn.objects.bulk_create(check_ins, batch_size=BATCH)
    return {
        "meetings": len(meetings),
        "attendance": len(attendance),
        "issues": len(issues) + len(open_issues),
        "commitments": len(commitments),
        "check-ins": len(check_ins),
    }


def _goals(rng, organization, groups, seats, now) -> dict[str, int]:
    goals = []
    for group, members in zip(groups, seats, strict=True):
        for user in members[:3]:
            goals.append(
                KeyGoal(
                    organization=organization,
                    owner=user,
                    group=group,
                    title="Grow the team's retention",
                    measure="12-month retention, %",
                    baseline=Decimal(80),
                    target=Decimal(90),
                    starts_on=(now - timedelta(days=150)).date(),
                    due_on=(now + timedelta(days=200)).date(),
                    visibility=Visibility.GROUP,
                    created_at=now - timedelta(days=150),
                )
            )
    KeyGoal.objects.bulk_create(goals, batch_size=BATCH)
    updates = [
        GoalUpdate(
            goal=goal,
            value=Decimal(80 + step * 2 + rng.randint(-1, 1)),
            created_at=now - timedelta(days=150 - 30 * step),
        )
        for goal in goals
        for step in range(1, 5)
    ]
    GoalUpdate.objects.bulk_create(updates, batch_size=BATCH)
    return {"goals": len(goals), "goal updates": len(updates)}


def key_pages(slug: str) -> list[tuple[str, str | None, str, dict]]:
    """(name, who, path, headers) of each key page of the organization `slug`, for the
    benchmark and the scale test: `who` signs in (None: the headers authenticate).

    Issues a calendar feed and an API key for the logins (writes: not for a page).
    """
    member = User.objects.get(email=logins(slug)["member"])
    group = PeerGroup.objects.get(memberships__user=member)
    held = Meeting.objects.filter(group=group, starts_at__lt=timezone.now()).latest("starts_at")
    ahead = Meeting.objects.filter(group=group, starts_at__gt=timezone.now()).earliest("starts_at")
    program = Program.objects.get(organization__slug=slug)
    _feed, token = calendar_feed_issue(user=member, organization=program.organization)
    _key, raw = token_create(user=User.objects.get(email=logins(slug)["admin"]), name="count")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    o, g = f"/o/{slug}", f"/o/{slug}/groups/{group.pk}"
    return [
        ("member dashboard", "member", f"{o}/", {}),
        ("group page", "member", f"{g}/", {}),
        ("meeting page", "member", f"{g}/meetings/{held.pk}/", {}),
        ("goals dashboard", "member", f"{o}/goals/", {}),
        ("run-of-show", "facilitator", f"{g}/meetings/{ahead.pk}/run/", {}),
        ("admin dashboard", "admin", f"{o}/", {}),
        ("program page", "admin", f"{o}/programs/{program.pk}/", {}),
        ("members list", "admin", f"{o}/members/", {}),
        ("members, filtered", "admin", f"{o}/members/?region=Boston&intake=complete", {}),
        ("goals insights", "admin", f"{o}/insights/goals/", {}),
        ("meetings insights", "admin", f"{o}/insights/meetings/", {}),
        ("API members", None, f"/api/organizations/{slug}/members?limit=50", bearer),
        ("API programs", None, f"/api/organizations/{slug}/programs", bearer),
        ("calendar feed", None, f"{o}/calendar/{token}.ics", {}),
    ]
