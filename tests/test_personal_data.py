"""A member downloads everything Peergroups holds about them (issue 21, item 8): one
archive, `data.json` and the files they shared, through the page and the API; nothing
of anyone else's, and no secret."""

import io
import json
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peergroups.meetings import services as meetings
from peergroups.network.models import Mute
from peergroups.organizations.access import organization_access
from peergroups.outcomes.tests.conftest import answered_pulse
from peergroups.resources import services as resources

pytestmark = pytest.mark.django_db


@pytest.fixture
def lived(cast, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    agreement = meetings.agreement_current(group=cast.group)
    for user in (cast.member, cast.member2):
        meetings.agreement_accept(agreement=agreement, user=user)
    for author, words in ((cast.member, "Mia's own hard call"), (cast.member2, "Max's secret")):
        meetings.issue_submit(
            group=cast.group,
            author=author,
            title=words,
            category="hiring",
            situation=f"{words}, in detail.",
            ask="Experiences, please.",
            urgency=2,
        )
    answered_pulse(cast, cast.member, date(2026, 11, 1), note="Mia's private pulse note")
    resources.resource_share(
        user=cast.member,
        access=organization_access(cast.member, "acme"),
        kind="template",
        title="Mia's template",
        summary="Use it.",
        topics=["hiring"],
        scope="organization",
        upload=SimpleUploadedFile("plan.md", b"# Mia's plan"),
    )
    # Max muted Mia: that is Max's row, which Mia must never learn of.
    Mute.objects.create(organization=cast.organization, user=cast.member2, muted=cast.member)
    return cast


def _archive(response) -> tuple[dict, dict]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files.pop("data.json")), files


@pytest.mark.parametrize("route", ["page", "api"])
def test_a_member_downloads_everything_of_theirs_and_nothing_else(client, lived, route):
    client.force_login(lived.member)
    if route == "page":
        response = client.get(reverse("dashboards-my-data-export", args=["acme"]))
    else:
        response = client.get(reverse("api:api-my-data", kwargs={"org_slug": "acme"}))
    data, files = _archive(response)
    text = json.dumps(data)
    assert data["account"]["email"] == lived.member.email
    for mine in ("Mia's own hard call", "Mia's private pulse note", "Mia's template"):
        assert mine in text
    assert "meetings.Issue" in data and "outcomes.Pulse" in data and "people.MemberProfile" in data
    assert any(name.endswith("plan.md") for name in files)
    assert b"# Mia's plan" in files[next(n for n in files if n.endswith("plan.md"))]
    assert "Max's secret" not in text
    assert "network.Mute" not in data  # who muted Mia is Max's, not hers
    assert "password" not in text and "hash" not in text


def test_another_organizations_person_gets_nothing(client, lived):
    client.force_login(lived.outsider)
    assert client.get(reverse("dashboards-my-data-export", args=["acme"])).status_code == 404
