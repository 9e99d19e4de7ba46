"""The demo's library, directory and questions are made through the services."""

import random
from datetime import date

from peergroups.demo.resources import LIBRARY, seed_resources
from peergroups.network.models import DirectoryEntry
from peergroups.resources.models import Resource


def test_seed_resources_on_a_small_organization(accepted):
    made = seed_resources(
        organization=accepted.organization, rng=random.Random(3), today=date(2027, 3, 1)
    )
    assert made["resources"] == len(LIBRARY) >= 40
    assert Resource.objects.filter(scope="group").exists()
    assert len({t for r in LIBRARY for t in r[2]}) == 12  # every topic has resources
    assert DirectoryEntry.objects.filter(listed=True).count() == made["listed"] >= 3
