"""Edits that lost a race say so: a group or program edit made from a page opened before
another edit is refused with the current values, never applied silently."""

import re

import pytest
from django.urls import reverse

from peergroups.errors import Stale
from peergroups.groups.models import PeerGroup
from peergroups.groups.services import group_rename
from peergroups.organizations.access import organization_access
from peergroups.organizations.models import Program

pytestmark = pytest.mark.django_db


def hidden_version(page: str, prefix: str = "") -> str:
    name = f"{prefix}-version" if prefix else "version"
    return re.search(rf'name="{name}" value="(\d+)"', page).group(1)


def test_two_tabs_rename_a_group_and_the_second_is_told(client, cast):
    client.force_login(cast.admin)
    url = reverse("groups-manage", kwargs={"org_slug": "acme", "group_id": cast.group.pk})
    opened = hidden_version(client.get(url).content.decode(), "rename")  # both tabs: "1"
    first = client.post(url, {"action": "rename", "rename-name": "Alpha", "rename-version": opened})
    assert first.status_code == 302
    second = client.post(url, {"action": "rename", "rename-name": "Beta", "rename-version": opened})
    assert second.status_code == 422
    page = second.content.decode()
    assert "This was changed since you opened it: it is called “Alpha”" in page
    assert 'value="Beta"' in page  # what the second tab typed is kept
    assert PeerGroup.objects.get(pk=cast.group.pk).name == "Alpha"
    # Sending it again, now over the current values, is a choice: it applies.
    current = hidden_version(page, "rename")
    assert current == "2"
    again = client.post(url, {"action": "rename", "rename-name": "Beta", "rename-version": current})
    assert again.status_code == 302
    assert PeerGroup.objects.get(pk=cast.group.pk).name == "Beta"


def test_a_stale_facilitator_change_or_close_is_refused(client, cast):
    client.force_login(cast.admin)
    url = reverse("groups-manage", kwargs={"org_slug": "acme", "group_id": cast.group.pk})
    page = client.get(url).content.decode()
    opened = hidden_version(page, "facilitator")
    group_rename(
        access=organization_access(cast.facilitator, "acme"),
        acting_user=cast.facilitator,
        group=cast.group,
        name="Renamed by Fran",
    )
    answer = client.post(
        url, {"action": "facilitator", "facilitator-facilitator": "", "facilitator-version": opened}
    )
    assert answer.status_code == 422
    assert "it is called “Renamed by Fran”, facilitated by Fran Facilitator." in (
        answer.content.decode()
    )
    closing = client.post(url, {"action": "close", "close-confirm": "on", "close-version": opened})
    assert closing.status_code == 422
    group = PeerGroup.objects.get(pk=cast.group.pk)
    assert group.facilitator_id == cast.facilitator.pk and group.closed_at is None


def test_the_service_without_a_version_still_edits_and_each_edit_counts(cast):
    access = organization_access(cast.admin, "acme")
    renamed = group_rename(access=access, acting_user=cast.admin, group=cast.group, name="One")
    assert renamed.version == 2
    with pytest.raises(Stale) as stale:
        group_rename(access=access, acting_user=cast.admin, group=cast.group, name="Two", version=1)
    assert stale.value.version == 2 and stale.value.status == 409


def program_form(**changes):
    values = dict(
        name="Leaders 2027",
        description="",
        min_group_size=6,
        max_group_size=10,
        open_seats=0,
        meeting_cadence="monthly",
        grouping_basis="mixed",
    )
    values.update(changes)
    return values


def test_two_tabs_edit_a_program_and_the_second_is_told(client, cast):
    client.force_login(cast.admin)
    url = reverse("groups-program-edit", args=["acme", cast.program.pk])
    opened = hidden_version(client.get(url).content.decode())
    first = client.post(url, program_form(max_group_size=8, version=opened))
    assert first.status_code == 302
    second = client.post(url, program_form(name="Leaders, renamed", version=opened))
    assert second.status_code == 400
    page = second.content.decode()
    assert "This was changed since you opened it" in page
    assert "groups of 6 to 8" in page
    program = Program.objects.get(pk=cast.program.pk)
    assert (program.name, program.max_group_size) == ("Leaders 2027", 8)
    assert 'value="Leaders, renamed"' in page


def test_two_api_clients_rename_a_group_and_edit_a_program(client, cast):
    from peergroups.api.services import token_create

    _, key = token_create(user=cast.admin, name="ops")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}", "content_type": "application/json"}
    group_url = f"/api/organizations/acme/groups/{cast.group.pk}"
    read = client.get(group_url, HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert read["version"] == 1
    first = client.patch(group_url, {"name": "Alpha", "version": 1}, **auth)
    assert (first.status_code, first.json()["version"]) == (200, 2)
    second = client.patch(group_url, {"name": "Beta", "version": 1}, **auth)
    assert second.status_code == 409
    assert second.json()["detail"].startswith(
        "This was changed since you opened it: it is called “Alpha”"
    )
    assert PeerGroup.objects.get(pk=cast.group.pk).name == "Alpha"

    program_url = f"/api/organizations/acme/programs/{cast.program.pk}"
    body = program_form(max_group_size=8, version=1)
    assert client.patch(program_url, body, **auth).json()["version"] == 2
    stale = client.patch(program_url, program_form(name="Renamed", version=1), **auth)
    assert stale.status_code == 409
    assert "groups of 6 to 8" in stale.json()["detail"]
    assert Program.objects.get(pk=cast.program.pk).name == "Leaders 2027"
