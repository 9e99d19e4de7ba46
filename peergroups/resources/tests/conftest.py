"""Fixtures for resource tests: files in a temporary folder, accepted agreements, a
helper that shares a resource through the service."""

import pytest

from peergroups.meetings import services as meetings
from peergroups.organizations.access import organization_access
from peergroups.resources import services


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def accepted(cast):
    """Everyone in Groups A and B has accepted their group's current agreement."""
    for group, members in (
        (cast.group, [cast.member, cast.member2]),
        (cast.other_group, [cast.other_member]),
    ):
        agreement = meetings.agreement_current(group=group)
        for member in members:
            meetings.agreement_accept(agreement=agreement, user=member)
    return cast


def access_of(user, slug="acme"):
    return organization_access(user, slug)


@pytest.fixture
def share(accepted):
    """share(user, title=..., group=None|group, **fields) through resource_share."""

    def make(user, *, title="Hiring scorecard", group=None, scope=None, **fields):
        values = {
            "kind": "template",
            "summary": "A one-page scorecard for structured interviews.",
            "topics": ["hiring"],
            "url": "https://example.org/scorecard",
        }
        values.update(fields)
        return services.resource_share(
            user=user,
            access=access_of(user),
            title=title,
            scope=scope or ("group" if group else "organization"),
            group_id=group.pk if group else None,
            **values,
        )

    return make
