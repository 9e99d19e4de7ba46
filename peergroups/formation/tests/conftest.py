"""A program with fourteen members waiting for groups, in two regions."""

import pytest
from django.utils import timezone

from conftest import make_user
from peergroups.formation.models import FormationRun
from peergroups.formation.parameters import MODE_UNPLACED, Parameters
from peergroups.formation.proposal import Proposal
from peergroups.formation.services import formation_run_start
from peergroups.organizations.models import Role
from peergroups.organizations.services import role_grant
from peergroups.people.models import MemberProfile
from peergroups.people.services import member_profile_ensure

AREAS = ["marketing", "hiring", "finance", "sales", "operations", "product", "technology"]


def add_member(cast, email, name, region, industry="Software", expertise=("hiring",), **fields):
    user = make_user(email, name)
    role_grant(organization=cast.organization, user=user, role=Role.MEMBER, acting_user=None)
    profile = member_profile_ensure(organization=cast.organization, user=user, program=cast.program)
    MemberProfile.objects.filter(pk=profile.pk).update(
        region=region,
        industry=industry,
        time_zone="America/New_York",
        function="Engineering",
        management_level="middle",
        team_size=10,
        years_managing=5,
        expertise=list(expertise),
        availability=["tue-am"],
        completed_at=timezone.now(),
        **fields,
    )
    return user


@pytest.fixture
def waiting(cast):
    """Fourteen members with a complete intake and no group: 8 in Boston, 6 in Denver."""
    cast.program.min_group_size = 3
    cast.program.max_group_size = 5
    cast.program.save()
    people = []
    for i in range(14):
        region = "Boston" if i < 8 else "Denver"
        people.append(
            add_member(
                cast,
                f"w{i}@acme.test",
                f"Waiting {i:02d}",
                region,
                industry="Biotech" if i % 2 else "Software",
                expertise=(AREAS[i % 7], AREAS[(i + 3) % 7]),
            )
        )
    return people


def groups_of(run: FormationRun) -> list[list[int]]:
    return [list(g.members) for g in Proposal.from_json(run.proposal).groups]


def params(**overrides) -> Parameters:
    values = dict(
        mode=MODE_UNPLACED,
        basis="mixed",
        criteria=[
            {"attribute": "region", "mode": "similar", "weight": 3.0},
            {"attribute": "industry", "mode": "similar", "weight": 1.0},
            {"attribute": "expertise", "mode": "diverse", "weight": 2.0},
        ],
        min_size=3,
        max_size=5,
        seconds=1.0,
        seed=7,
        history_penalty=2.0,
    )
    values.update(overrides)
    return Parameters(**values)


@pytest.fixture
def solved(cast, waiting, django_capture_on_commit_callbacks, run_tasks):
    def solve(**overrides) -> FormationRun:
        with django_capture_on_commit_callbacks(execute=True):
            run = formation_run_start(
                program=cast.program, acting_user=cast.admin, parameters=params(**overrides)
            )
        run_tasks()
        run.refresh_from_db()
        return run

    return solve
