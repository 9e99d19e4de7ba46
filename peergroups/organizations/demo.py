"""A realistic demo organization, the same on every run, so every page has something to show.

Used by `manage.py seed_demo` (and so by `make run`). Bulk writes keep it to a few seconds;
group seats go through `membership_add` so the capacity bookkeeping stays true.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from peergroups.accounts.models import User
from peergroups.groups.services import group_create, membership_add
from peergroups.organizations.models import (
    GroupingBasis,
    MeetingCadence,
    Organization,
    OrganizationRole,
    Role,
)
from peergroups.organizations.services import audit, organization_create, program_create
from peergroups.people.models import (
    FacilitatorProfile,
    FacilitatorStatus,
    MemberProfile,
    NotWith,
)
from peergroups.people.vocabulary import AREA_KEYS, AVAILABILITY_SLOTS

SEED = 20270101
SLUG = "northwind"
NAME = "Northwind Leaders Network"
PROGRAM_NAME = "Leaders Circle 2027"
DEMO_PASSWORD = "peergroups-demo"
ADMIN_EMAIL = "admin@northwind.example"
FACILITATOR_EMAIL = "facilitator@northwind.example"
MEMBER_EMAIL = "member@northwind.example"
URL = "http://127.0.0.1:8000"

REGIONS = {
    "Boston": "America/New_York",
    "Chicago": "America/Chicago",
    "Denver": "America/Denver",
    "Seattle": "America/Los_Angeles",
    "Atlanta": "America/New_York",
}
# industry -> companies (name, size, stage); several managers per company, so reporting
# lines and competitor conflicts are real constraints for the grouping.
COMPANIES = {
    "Biotech": [
        ("Helix Biosciences", "250-999", "growth"),
        ("Genova Therapeutics", "50-249", "startup"),
        ("Cobalt Bio", "50-249", "growth"),
        ("Larkspur Genomics", "10-49", "startup"),
        ("Meridian Cell Labs", "1000+", "mature"),
    ],
    "Software": [
        ("Brightloop Software", "250-999", "growth"),
        ("Stackwell", "50-249", "growth"),
        ("Nimbus Ledger", "10-49", "startup"),
        ("Quarry Analytics", "50-249", "turnaround"),
        ("Tidewater Systems", "1000+", "mature"),
    ],
    "Manufacturing": [
        ("Ironbridge Fabrication", "250-999", "mature"),
        ("Kessler Precision", "50-249", "mature"),
        ("Granite Valley Plastics", "250-999", "turnaround"),
        ("Northstar Components", "1000+", "mature"),
        ("Redline Tooling", "10-49", "growth"),
    ],
    "Financial services": [
        ("Harborview Capital", "50-249", "growth"),
        ("Summit Ridge Bank", "1000+", "mature"),
        ("Clearwater Advisors", "10-49", "mature"),
        ("Keystone Mutual", "250-999", "turnaround"),
        ("Lantern Payments", "50-249", "startup"),
    ],
    "Retail": [
        ("Maple & Main Outfitters", "250-999", "mature"),
        ("Corner Pantry Markets", "1000+", "mature"),
        ("Urban Trail Gear", "50-249", "growth"),
        ("Bluebird Home", "50-249", "turnaround"),
        ("Prairie Goods", "10-49", "startup"),
    ],
    "Healthcare": [
        ("Riverbend Health", "1000+", "mature"),
        ("Cedar Grove Clinics", "250-999", "growth"),
        ("Beacon Home Care", "50-249", "growth"),
        ("Willow Pediatrics", "10-49", "mature"),
        ("Pinecrest Medical Group", "250-999", "turnaround"),
    ],
}
FUNCTIONS = {
    "Biotech": [
        "Research",
        "Clinical operations",
        "Regulatory affairs",
        "Manufacturing",
        "Finance",
    ],
    "Software": ["Engineering", "Product", "Customer success", "Sales", "Marketing"],
    "Manufacturing": ["Operations", "Quality", "Supply chain", "Engineering", "Sales"],
    "Financial services": ["Lending", "Wealth management", "Risk", "Operations", "Technology"],
    "Retail": ["Store operations", "Merchandising", "E-commerce", "Logistics", "Marketing"],
    "Healthcare": ["Nursing", "Clinic operations", "Patient services", "Finance", "Quality"],
}
FIRST_NAMES = [
    "Aisha",
    "Alex",
    "Amara",
    "Ana",
    "Andre",
    "Ben",
    "Bianca",
    "Brandon",
    "Carla",
    "Carlos",
    "Chen",
    "Chloe",
    "Daniel",
    "Dana",
    "Deepa",
    "Diego",
    "Elena",
    "Emeka",
    "Emily",
    "Ethan",
    "Fatima",
    "Gabriel",
    "Grace",
    "Hannah",
    "Hiro",
    "Isaac",
    "Isabel",
    "Jamal",
    "Jana",
    "Jasmine",
    "Javier",
    "Jin",
    "Jordan",
    "Julia",
    "Kai",
    "Karen",
    "Kenji",
    "Laura",
    "Leah",
    "Liam",
    "Lucia",
    "Malik",
    "Maria",
    "Marcus",
    "Maya",
    "Mei",
    "Michael",
    "Nadia",
    "Naomi",
    "Nikhil",
    "Noah",
    "Olivia",
    "Omar",
    "Priya",
    "Rafael",
    "Rachel",
    "Ravi",
    "Rosa",
    "Ryan",
    "Samir",
    "Sara",
    "Sofia",
    "Tamara",
    "Tariq",
    "Thomas",
    "Tyler",
    "Valeria",
    "Victor",
    "Wei",
    "Yara",
    "Yusuf",
    "Zoe",
]
LAST_NAMES = [
    "Abbott",
    "Adeyemi",
    "Alvarez",
    "Bauer",
    "Bennett",
    "Brooks",
    "Castillo",
    "Chang",
    "Chowdhury",
    "Coleman",
    "Delgado",
    "Dubois",
    "Edwards",
    "Fischer",
    "Foster",
    "Garcia",
    "Gupta",
    "Hansen",
    "Hayes",
    "Hernandez",
    "Ibrahim",
    "Ito",
    "Jensen",
    "Kaplan",
    "Khan",
    "Kim",
    "Kowalski",
    "Larsen",
    "Lopez",
    "Mbeki",
    "Meyer",
    "Mitchell",
    "Moreno",
    "Murphy",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Okafor",
    "Olsen",
    "Ortiz",
    "Patel",
    "Perez",
    "Quinn",
    "Ramirez",
    "Reyes",
    "Rossi",
    "Sato",
    "Schmidt",
    "Shah",
    "Silva",
    "Singh",
    "Sullivan",
    "Tanaka",
    "Torres",
    "Turner",
    "Walsh",
    "Wang",
    "Weber",
    "Williams",
    "Wright",
    "Yamamoto",
    "Young",
    "Zhang",
]
LEVELS = [  # (level, weight, team size range, years managing range)
    ("first-line", 4, (3, 12), (1, 5)),
    ("middle", 4, (8, 40), (3, 12)),
    ("senior", 3, (20, 150), (7, 20)),
    ("executive", 1, (50, 600), (12, 30)),
]
LEVEL_RANK = {"first-line": 1, "middle": 2, "senior": 3, "executive": 4}
CHALLENGES = {
    "hiring": "We keep losing strong candidates at the offer stage.",
    "team-building": "Two of my leads do not trust each other and the team feels it.",
    "leading-change": "We are moving to a new operating model and people are tired of change.",
    "finance": "I own a budget for the first time and struggle to forecast it.",
    "strategic-planning": "Our plan changes every quarter; I need a steadier direction.",
    "operations": "Handoffs between shifts drop work and we fix the same issues twice.",
    "sales": "The pipeline looks healthy but deals slip at the last step.",
    "marketing": "We spend on campaigns without knowing which ones work.",
    "product": "Too many priorities arrive from every side and the roadmap slips.",
    "technology": "Our core system is old and every change is slow and risky.",
    "customer-service": "Complaints rose after we grew and response times doubled.",
    "legal-compliance": "A new regulation lands next year and we are not ready.",
}
GOALS = {
    "hiring": "Fill the four open roles on my team by June with people who stay.",
    "team-building": "Build a leadership team that settles conflicts without me.",
    "leading-change": "Take my department through the reorganisation without losing anyone key.",
    "finance": "Bring my unit to break-even by the end of the year.",
    "strategic-planning": "Agree a three-year plan with my board and stick to it.",
    "operations": "Cut order-to-delivery time by a third.",
    "sales": "Grow revenue 20% while keeping margins.",
    "marketing": "Launch our brand in two new regions.",
    "product": "Ship the new platform and retire the old one.",
    "technology": "Move our main systems to the cloud without an outage.",
    "customer-service": "Raise customer satisfaction above 90%.",
    "legal-compliance": "Pass the next audit with no findings.",
}
COACH_TRAININGS = [
    "ICF PCC, 2019",
    "Co-Active Training Institute, 2017",
    "Center for Creative Leadership feedback coach, 2020",
    "ICF ACC, 2021",
    "Gestalt coaching programme, 2016",
]
BUSINESSES = [
    "Founded and sold a regional logistics firm (60 people).",
    "Built a software consultancy from two to 45 people over ten years.",
    "Started a chain of three physical-therapy clinics.",
    "Co-founded a contract manufacturer for medical devices.",
    "Ran a family retail business and grew it to five stores.",
    "Founded a boutique wealth-management firm.",
]
MEMBERS_PER_COMPANY = (4, 6)
FACILITATORS = 15
APPROVED_FACILITATORS = 11
SLOT_KEYS = [key for key, _label in AVAILABILITY_SLOTS]
# (region, group name, members): formed groups, so group pages have content from the start.
GROUPS = [
    ("Boston", "Boston Circle", 8),
    ("Chicago", "Chicago Circle", 9),
    ("Denver", "Denver Circle", 7),
    ("Seattle", "Seattle Circle", 8),
]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str


@dataclass(frozen=True)
class DemoResult:
    organization: Organization
    created: bool
    logins: list[DemoLogin]


LOGINS = [
    DemoLogin("Program admin", ADMIN_EMAIL),
    DemoLogin("Facilitator", FACILITATOR_EMAIL),
    DemoLogin("Member (in a group)", MEMBER_EMAIL),
]


@dataclass
class _Person:
    user: User
    profile: MemberProfile


def demo_seed(*, if_empty: bool = False) -> DemoResult:
    """Create the demo organization; with `if_empty`, leave an existing one as it is."""
    existing = Organization.objects.filter(slug=SLUG).first()
    if existing is not None:
        if if_empty:
            return DemoResult(organization=existing, created=False, logins=LOGINS)
        raise ValueError(f"The organization “{SLUG}” exists already.")
    return DemoResult(organization=_build(random.Random(SEED)), created=True, logins=LOGINS)


def _name(rng: random.Random, used: set[tuple[str, str]]) -> tuple[str, str]:
    while True:
        pair = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
        if pair not in used:
            used.add(pair)
            return pair


def _domain(company: str) -> str:
    words = company.lower().replace("&", "").split()
    return "".join(word for word in words if word.isalnum()) + ".example"


@transaction.atomic
def _build(rng: random.Random) -> Organization:
    now = timezone.now()
    # One hash for every demo login: PBKDF2 is slow on purpose, and the others never sign in.
    demo_hash = make_password(DEMO_PASSWORD)
    admin = User(email=ADMIN_EMAIL, full_name="Morgan Ellis", password=demo_hash)
    admin.save()
    organization = organization_create(name=NAME, slug=SLUG, admin=admin)
    program = program_create(
        organization=organization,
        acting_user=admin,
        name=PROGRAM_NAME,
        description="Monthly peer groups for managers across the network, formed by region "
        "and industry.",
        min_group_size=6,
        max_group_size=10,
        grouping_basis=GroupingBasis.MIXED,
        meeting_cadence=MeetingCadence.MONTHLY,
        starts_on=(now + timedelta(days=30)).date(),
    )
    used_names: set[tuple[str, str]] = set()
    people = _members(rng, organization, program, used_names, demo_hash, now)
    facilitators = _facilitators(rng, organization, admin, used_names, demo_hash, now)
    groups = _groups(rng, program, admin, people, facilitators)
    _group_life(groups, now)
    audit(organization=organization, acting_user=admin, action="demo_seed", members=len(people))
    return organization


def _members(rng, organization, program, used_names, demo_hash, now) -> list[_Person]:
    region_names = list(REGIONS)
    people: list[_Person] = []
    emails: set[str] = set()
    for industry_index, (industry, companies) in enumerate(COMPANIES.items()):
        for company_index, (company, size, stage) in enumerate(companies):
            # Each company has a home region; a few of its managers sit elsewhere.
            home = region_names[(industry_index + company_index) % len(region_names)]
            for _ in range(rng.randint(*MEMBERS_PER_COMPANY)):
                first, last = _name(rng, used_names)
                email = f"{first}.{last}@{_domain(company)}".lower()
                if email in emails:
                    email = email.replace("@", f"{len(emails)}@")
                emails.add(email)
                region = home if rng.random() < 0.8 else rng.choice(region_names)
                level, _w, team, years = rng.choices(LEVELS, weights=[w for _, w, *_ in LEVELS])[0]
                expertise = rng.sample(sorted(AREA_KEYS), rng.randint(2, 4))
                challenge_topics = rng.sample(sorted(AREA_KEYS), rng.randint(1, 2))
                goal_topics = rng.sample(sorted(AREA_KEYS), rng.randint(1, 2))
                complete = rng.random() < 0.9
                user = User(email=email, full_name=f"{first} {last}")
                user.set_unusable_password()  # they would be invited to sign up
                profile = MemberProfile(
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
                    expertise=expertise if complete else [],
                    challenges=" ".join(CHALLENGES[t] for t in challenge_topics)
                    if complete
                    else "",
                    challenge_topics=challenge_topics if complete else [],
                    goals=" ".join(GOALS[t] for t in goal_topics) if complete else "",
                    goal_topics=goal_topics if complete else [],
                    availability=_slots(rng) if complete else [],
                    completed_at=now - timedelta(days=rng.randint(1, 60)) if complete else None,
                )
                people.append(_Person(user, profile))
    # The demo member: a complete Boston profile, so they land in the Boston group.
    demo = next(p for p in people if p.profile.region == "Boston" and p.profile.completed_at)
    demo.user.email = MEMBER_EMAIL
    demo.user.password = demo_hash
    User.objects.bulk_create([person.user for person in people])
    for person in people:
        person.profile.user = person.user
    _reporting_lines(rng, people)
    _competitors(rng, people)
    MemberProfile.objects.bulk_create([person.profile for person in people])
    OrganizationRole.objects.bulk_create(
        OrganizationRole(organization=organization, user=person.user, role=Role.MEMBER)
        for person in people
    )
    _not_with(rng, organization, people)
    return people


def _slots(rng: random.Random) -> list[str]:
    picked = set(rng.sample(SLOT_KEYS, rng.randint(3, 6)))
    return [key for key in SLOT_KEYS if key in picked]  # in week order, as the form shows them


def _reporting_lines(rng: random.Random, people: list[_Person]) -> None:
    by_company: dict[str, list[_Person]] = {}
    for person in people:
        by_company.setdefault(person.profile.company, []).append(person)
    for colleagues in by_company.values():
        for person in colleagues:
            rank = LEVEL_RANK[person.profile.management_level]
            # Only upwards, so a reporting line can never loop.
            above = [c for c in colleagues if LEVEL_RANK[c.profile.management_level] > rank]
            if above and rng.random() < 0.5:
                person.profile.reports_to = rng.choice(above).user


def _competitors(rng: random.Random, people: list[_Person]) -> None:
    for person in people:
        if rng.random() < 0.3:
            rivals = [
                name
                for name, _size, _stage in COMPANIES[person.profile.industry]
                if name != person.profile.company
            ]
            person.profile.competitors = rng.sample(rivals, rng.randint(1, 2))


def _not_with(rng: random.Random, organization, people: list[_Person]) -> None:
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < 6:
        one, other = rng.sample(people, 2)
        if one.profile.region == other.profile.region:
            pairs.add((one.user.pk, other.user.pk))
    NotWith.objects.bulk_create(
        NotWith(organization=organization, user_id=user_id, other_id=other_id)
        for user_id, other_id in sorted(pairs)
    )


def _facilitators(rng, organization, admin, used_names, demo_hash, now) -> list[FacilitatorProfile]:
    region_names = list(REGIONS)
    industries = list(COMPANIES)
    profiles = []
    roles = []
    for index in range(FACILITATORS):
        first, last = _name(rng, used_names)
        approved = index < APPROVED_FACILITATORS
        if index == 0:
            user = User(email=FACILITATOR_EMAIL, full_name=f"{first} {last}", password=demo_hash)
        else:
            user = User(
                email=f"{first}.{last}@coaches.example".lower(), full_name=f"{first} {last}"
            )
            user.set_unusable_password()
        user.save()
        # One pending applicant has not trained as a feedback coach: approval must refuse.
        trained = index != FACILITATORS - 1
        profiles.append(
            FacilitatorProfile(
                organization=organization,
                user=user,
                built_own_business=True,
                business_description=rng.choice(BUSINESSES),
                trained_feedback_coach=trained,
                coach_training=rng.choice(COACH_TRAININGS) if trained else "",
                expertise=rng.sample(sorted(AREA_KEYS), rng.randint(3, 4)),
                capacity=rng.randint(1, 3),
                # The first ones cover the regions the demo groups meet in.
                regions_served=[region_names[index % len(region_names)]],
                industries_served=rng.sample(industries, 2),
                bio=f"{first} has led peer groups for {rng.randint(3, 15)} years.",
                status=FacilitatorStatus.APPROVED if approved else FacilitatorStatus.PENDING,
                applied_at=now - timedelta(days=rng.randint(20, 90)),
                reviewed_at=now - timedelta(days=rng.randint(1, 19)) if approved else None,
                reviewed_by=admin if approved else None,
            )
        )
        roles.append(
            OrganizationRole(
                organization=organization,
                user=user,
                role=Role.FACILITATOR if approved else Role.APPLICANT,
            )
        )
    FacilitatorProfile.objects.bulk_create(profiles)
    OrganizationRole.objects.bulk_create(roles)
    return profiles


def _conflicts(person: _Person, other: _Person, not_with: set[tuple[int, int]], chain) -> bool:
    a, b = person.profile, other.profile
    return (
        a.company == b.company  # colleagues do not speak freely in front of each other
        or b.user.pk in chain(a)
        or a.user.pk in chain(b)
        or a.company in b.competitors
        or b.company in a.competitors
        or (a.user.pk, b.user.pk) in not_with
        or (b.user.pk, a.user.pk) in not_with
    )


def _groups(rng, program, admin, people: list[_Person], facilitators) -> list:
    by_user = {person.user.pk: person for person in people}
    not_with = set(
        NotWith.objects.filter(organization=program.organization).values_list("user_id", "other_id")
    )

    def chain(profile: MemberProfile) -> set[int]:
        above, manager = set(), profile.reports_to_id
        while manager and manager not in above:
            above.add(manager)
            manager = by_user[manager].profile.reports_to_id if manager in by_user else None
        return above

    groups = []
    for region, name, size in GROUPS:
        candidates = [p for p in people if p.profile.region == region and p.profile.completed_at]
        rng.shuffle(candidates)
        candidates.sort(key=lambda p: p.user.email != MEMBER_EMAIL)  # the demo member first
        chosen: list[_Person] = []
        for candidate in candidates:
            if len(chosen) == size:
                break
            if not any(_conflicts(candidate, other, not_with, chain) for other in chosen):
                chosen.append(candidate)
        facilitator = next(f for f in facilitators if f.regions_served == [region])
        group = group_create(
            program=program,
            name=name,
            acting_user=admin,
            facilitator=facilitator.user,
            time_zone=REGIONS[region],
        )
        for person in chosen:
            membership_add(group=group, user=person.user, acting_user=admin)
        groups.append(group)
    return groups


DEMO_ISSUES = [
    (
        "Promote from within or hire the star?",
        "hiring",
        "Two solid internal candidates and one outside star for a team-lead role.",
        "Experiences with passing someone over, and how it went afterwards.",
        3,
    ),
    (
        "Our biggest customer wants exclusivity",
        "strategic-planning",
        "A customer worth 30 % of revenue asks us to stop serving their competitor.",
        "How did you weigh concentration risk against growth?",
        2,
    ),
    (
        "A senior engineer undermines decisions in meetings",
        "team-building",
        "Agrees in the room, then reopens every decision in side conversations.",
        "What worked when you confronted this?",
        2,
    ),
]


def _group_life(groups, now) -> None:
    """Meetings, an issue queue and goals, so the group pages show a working group.

    Every member but the demo member accepts the agreement: signing in as the demo
    member shows the confidentiality gate first, then the group's content.
    """
    from datetime import time
    from decimal import Decimal

    from peergroups.goals.services import commitment_make, goal_create
    from peergroups.meetings import services as meetings

    first_meeting = (now + timedelta(days=7)).date()
    for group in groups:
        meetings.meeting_series_set(
            group=group,
            acting_user=group.facilitator,
            frequency="monthly",
            weekday=1,  # Tuesday
            week_of_month=2,
            starts_on=first_meeting,
            start_time=time(8, 0),
            end_time=time(12, 0),
            time_zone=group.time_zone,
            location=f"{group.name}, Northwind offices",
        )
        agreement = meetings.agreement_current(group=group)
        members = [m.user for m in group.memberships.select_related("user")]
        for member in members:
            if member.email != MEMBER_EMAIL:
                meetings.agreement_accept(agreement=agreement, user=member)
        authors = [m for m in members if m.email != MEMBER_EMAIL]
        for (title, category, situation, ask, urgency), author in zip(
            DEMO_ISSUES, authors, strict=False
        ):
            issue = meetings.issue_submit(
                group=group,
                author=author,
                title=title,
                category=category,
                situation=situation,
                ask=ask,
                urgency=urgency,
            )
            for voter in authors[: urgency + 1]:
                if voter != author:
                    meetings.issue_vote_set(issue=issue, voter=voter, vote=True)
        for member in members[:3]:
            commitment_make(
                group=group,
                member=member,
                text="Hold a one-to-one with each direct report before the next meeting.",
            )
            goal_create(
                organization=group.organization,
                owner=member,
                group=group,
                title="Grow the team's retention",
                measure="12-month retention, %",
                baseline=Decimal("82"),
                target=Decimal("90"),
                due_on=(now + timedelta(days=300)).date(),
                visibility="group",
                why="Every departure costs us a quarter of momentum.",
            )
