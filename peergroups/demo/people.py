"""The demo's people: members with intake profiles, reporting lines and conflicts, and
facilitators (most approved, a few waiting, one who cannot be approved).

Bulk writes keep the demo to a few seconds. Everyone but the demo logins has no usable
password: in a real organization they would be invited.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from peergroups.accounts.models import User
from peergroups.demo.data import (
    BUSINESSES,
    CHALLENGES,
    COACH_TRAININGS,
    COMPANIES,
    FIRST_NAMES,
    FUNCTIONS,
    GOALS,
    LAST_NAMES,
    LEVEL_RANK,
    LEVELS,
    REGIONS,
)
from peergroups.organizations.models import Organization, OrganizationRole, Program, Role
from peergroups.people.models import (
    Category,
    CategoryKind,
    FacilitatorProfile,
    FacilitatorStatus,
    MemberProfile,
    NotWith,
    category_key,
)
from peergroups.people.vocabulary import AREA_KEYS, AVAILABILITY_SLOTS

FACILITATOR_EMAIL = "facilitator@northwind.example"
MEMBER_EMAIL = "member@northwind.example"
MEMBERS_PER_COMPANY = (4, 6)
FACILITATORS = 15
APPROVED_FACILITATORS = 11
SLOT_KEYS = [key for key, _label in AVAILABILITY_SLOTS]


@dataclass
class Person:
    """A demo member: the account and the intake profile, saved together in bulk."""

    user: User
    profile: MemberProfile


def name_pick(rng: random.Random, used: set[tuple[str, str]]) -> tuple[str, str]:
    while True:
        pair = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
        if pair not in used:
            used.add(pair)
            return pair


def _domain(company: str) -> str:
    words = company.lower().replace("&", "").split()
    return "".join(word for word in words if word.isalnum()) + ".example"


def seed_pick_lists(*, organization: Organization) -> None:
    """The organization's pick-lists, one per kind: the regions, industries and functions
    its members choose from."""
    values = {
        CategoryKind.REGION: list(REGIONS),
        CategoryKind.INDUSTRY: list(COMPANIES),
        CategoryKind.FUNCTION: sorted({f for functions in FUNCTIONS.values() for f in functions}),
    }
    # bulk_create skips save(), which fills in the key: the key is set here.
    Category.objects.bulk_create(
        Category(organization=organization, kind=kind, label=label, key=category_key(label))
        for kind, labels in values.items()
        for label in labels
    )


def seed_members(
    *,
    rng: random.Random,
    organization: Organization,
    program: Program,
    used_names: set[tuple[str, str]],
    demo_hash: str,
    now: datetime,
) -> list[Person]:
    """About 150 members across five regions and six industries; 9 in 10 with a full intake."""
    region_names = list(REGIONS)
    people: list[Person] = []
    emails: set[str] = set()
    for industry_index, (industry, companies) in enumerate(COMPANIES.items()):
        for company_index, (company, size, stage) in enumerate(companies):
            # Each company has a home region; a few of its managers sit elsewhere.
            home = region_names[(industry_index + company_index) % len(region_names)]
            for _ in range(rng.randint(*MEMBERS_PER_COMPANY)):
                first, last = name_pick(rng, used_names)
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
                people.append(Person(user, profile))
    # The demo member: a complete Boston profile, so they land in the Boston group.
    demo = next(p for p in people if p.profile.region == "Boston" and p.profile.completed_at)
    demo.user.email = MEMBER_EMAIL
    demo.user.password = demo_hash
    User.objects.bulk_create([person.user for person in people])
    for person in people:
        person.profile.user, person.profile.sort_name = person.user, person.user.full_name
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


def _reporting_lines(rng: random.Random, people: list[Person]) -> None:
    by_company: dict[str, list[Person]] = {}
    for person in people:
        by_company.setdefault(person.profile.company, []).append(person)
    for colleagues in by_company.values():
        for person in colleagues:
            rank = LEVEL_RANK[person.profile.management_level]
            # Only upwards, so a reporting line can never loop.
            above = [c for c in colleagues if LEVEL_RANK[c.profile.management_level] > rank]
            if above and rng.random() < 0.5:
                person.profile.reports_to = rng.choice(above).user


def _competitors(rng: random.Random, people: list[Person]) -> None:
    for person in people:
        if rng.random() < 0.3:
            rivals = [
                name
                for name, _size, _stage in COMPANIES[person.profile.industry]
                if name != person.profile.company
            ]
            person.profile.competitors = rng.sample(rivals, rng.randint(1, 2))


def _not_with(rng: random.Random, organization, people: list[Person]) -> None:
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < 6:
        one, other = rng.sample(people, 2)
        if one.profile.region == other.profile.region:
            pairs.add((one.user.pk, other.user.pk))
    NotWith.objects.bulk_create(
        NotWith(organization=organization, user_id=user_id, other_id=other_id)
        for user_id, other_id in sorted(pairs)
    )


def seed_facilitators(
    *,
    rng: random.Random,
    organization: Organization,
    admin: User,
    used_names: set[tuple[str, str]],
    demo_hash: str,
    now: datetime,
) -> list[FacilitatorProfile]:
    """Fifteen facilitators: the first ones cover the regions the demo groups meet in."""
    region_names = list(REGIONS)
    industries = list(COMPANIES)
    profiles = []
    roles = []
    for index in range(FACILITATORS):
        first, last = name_pick(rng, used_names)
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
