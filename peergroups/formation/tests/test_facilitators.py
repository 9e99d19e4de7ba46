import random
import time

import numpy as np

from peergroups.formation.facilitators import facilitator_fit, facilitators_assign, fit_matrix
from peergroups.formation.snapshot import FacilitatorOption

REGIONS = ["boston", "chicago", "denver", ""]
INDUSTRIES = ["retail", "software", "health", ""]
TOPICS = ["hiring", "conflict", "strategy", "finance", "growth"]


def person(rng: random.Random) -> dict:
    return {
        "region": rng.choice(REGIONS).title(),
        "industry": rng.choice(INDUSTRIES),
        "challenge_topics": rng.sample(TOPICS, rng.randint(0, 2)),
    }


def option(rng: random.Random, user_id: int) -> FacilitatorOption:
    return FacilitatorOption(
        user_id=user_id,
        name=f"F{user_id}",
        free=rng.randint(0, 3),
        regions=tuple(rng.sample(REGIONS[:3], rng.randint(0, 2))),
        industries=tuple(rng.sample(INDUSTRIES[:3], rng.randint(0, 2))),
        expertise=tuple(rng.sample(TOPICS, rng.randint(0, 3))),
    )


def test_fit_matrix_matches_the_fit_of_each_pair():
    rng = random.Random(7)
    facilitators = [option(rng, i) for i in range(12)]
    groups = [[person(rng) for _ in range(rng.randint(1, 8))] for _ in range(20)]
    expected = [[facilitator_fit(f, members) for f in facilitators] for members in groups]
    assert np.allclose(fit_matrix(facilitators, groups), expected, atol=1e-5)


def test_assignment_respects_capacity_and_gives_each_group_one_facilitator():
    rng = random.Random(3)
    facilitators = [option(rng, i) for i in range(30)]
    groups = [[person(rng) for _ in range(8)] for _ in range(40)]
    chosen = facilitators_assign(facilitators, groups)
    free = {f.user_id: f.free for f in facilitators}
    for user_id in set(chosen) - {None}:
        assert chosen.count(user_id) <= free[user_id]
    assert sum(c is not None for c in chosen) == min(len(groups), sum(free.values()))


def test_a_thousand_groups_are_assigned_in_seconds():
    rng = random.Random(1)
    facilitators = [option(rng, i) for i in range(500)]
    groups = [[person(rng) for _ in range(9)] for _ in range(1000)]
    started = time.perf_counter()
    facilitators_assign(facilitators, groups)
    assert time.perf_counter() - started < 10  # the double loop took 20 s
