"""Fixtures for network tests: listing people, and the access helper."""

import pytest

from peergroups.network import services
from peergroups.organizations.access import organization_access


def access_of(user, slug="acme"):
    return organization_access(user, slug)


@pytest.fixture
def listing(cast):
    """listing(user, **choices): list the person through the service."""

    def make(user, **choices):
        values = {"listed": True}
        values.update(choices)
        return services.directory_entry_save(user=user, access=access_of(user), **values)

    return make
