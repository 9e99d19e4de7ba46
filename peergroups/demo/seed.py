"""A realistic demo organization, the same on every run, so every page has something to show.

Used by `manage.py seed_demo` (and so by `make run`). `demo_seed` builds the
organization, its program and people, then runs each app's seeding step in layer
order (`SEED_STEPS`); an app that adds demo content adds one step there.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from peergroups.accounts.models import User
from peergroups.audit.services import audit_record
from peergroups.demo.group_life import seed_group_life
from peergroups.demo.groups import seed_groups
from peergroups.demo.history import seed_history
from peergroups.demo.outcomes import seed_outcomes
from peergroups.demo.people import (
    FACILITATOR_EMAIL,
    MEMBER_EMAIL,
    seed_facilitators,
    seed_members,
    seed_pick_lists,
)
from peergroups.demo.resources import seed_resources
from peergroups.groups.services import program_create
from peergroups.organizations.models import GroupingBasis, MeetingCadence, Organization
from peergroups.organizations.services import organization_create

SEED = 20270101
SLUG = "northwind"
NAME = "Northwind Leaders Network"
PROGRAM_NAME = "Leaders Circle 2027"
DEMO_PASSWORD = "peergroups-demo"
ADMIN_EMAIL = "admin@northwind.example"
URL = "http://127.0.0.1:8000"

# Each app's demo content, called in this order as `step(organization=, rng=, today=)`
# once the people and groups exist, in layer order.
SEED_STEPS = (seed_group_life, seed_history, seed_resources, seed_outcomes)


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


def demo_seed(*, if_empty: bool = False) -> DemoResult:
    """Create the demo organization; with `if_empty`, leave an existing one as it is."""
    existing = Organization.objects.filter(slug=SLUG).first()
    if existing is not None:
        if if_empty:
            return DemoResult(organization=existing, created=False, logins=LOGINS)
        raise ValueError(f"The organization “{SLUG}” exists already.")
    return DemoResult(organization=_build(random.Random(SEED)), created=True, logins=LOGINS)


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
    seed_pick_lists(organization=organization)
    used_names: set[tuple[str, str]] = set()
    people = seed_members(
        rng=rng,
        organization=organization,
        program=program,
        used_names=used_names,
        demo_hash=demo_hash,
        now=now,
    )
    facilitators = seed_facilitators(
        rng=rng,
        organization=organization,
        admin=admin,
        used_names=used_names,
        demo_hash=demo_hash,
        now=now,
    )
    seed_groups(rng=rng, program=program, admin=admin, people=people, facilitators=facilitators)
    for step in SEED_STEPS:
        step(organization=organization, rng=rng, today=now.date())
    audit_record(
        organization=organization, actor=admin, action="demo_seed", after={"members": len(people)}
    )
    return organization
