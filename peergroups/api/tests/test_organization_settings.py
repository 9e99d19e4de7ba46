"""The organization's settings through the API (issue 21, fix 8): admins read them and
set the content-retention period, as the settings page does; the change is audited."""

import json

from peergroups.audit.models import AuditEntry

from .helpers import bearer

URL = "/api/organizations/acme/settings"


def patch(client, user, body):
    return client.patch(URL, json.dumps(body), content_type="application/json", **bearer(user))


def test_admin_reads_the_settings(client, cast):
    body = client.get(URL, **bearer(cast.admin)).json()
    assert body["name"] == "Acme Leaders"
    assert body["content_retention_months"] is None


def test_admin_sets_and_clears_the_retention_period_and_each_change_is_audited(client, cast):
    response = patch(client, cast.admin, {"content_retention_months": 24})
    assert response.status_code == 200
    assert response.json()["content_retention_months"] == 24
    assert response.json()["name"] == "Acme Leaders"  # what was not given is kept
    cast.organization.refresh_from_db()
    assert cast.organization.content_retention_months == 24
    entry = AuditEntry.objects.get(action="organization_settings")
    assert entry.after == {"content_retention_months": 24}
    assert entry.actor == cast.admin
    cleared = patch(client, cast.admin, {"content_retention_months": None})
    assert cleared.status_code == 200 and cleared.json()["content_retention_months"] is None
    cast.organization.refresh_from_db()
    assert cast.organization.content_retention_months is None
    assert AuditEntry.objects.filter(action="organization_settings").count() == 2


def test_a_retention_period_out_of_bounds_is_422_with_the_field(client, cast):
    for months in (0, 2, 121, "twelve"):
        response = patch(client, cast.admin, {"content_retention_months": months})
        assert response.status_code == 422, months
        assert "content_retention_months" in response.content.decode()
    assert patch(client, cast.admin, {"name": None}).status_code == 422
    cast.organization.refresh_from_db()
    assert cast.organization.content_retention_months is None
    assert cast.organization.name == "Acme Leaders"
    assert not AuditEntry.objects.filter(action="organization_settings").exists()


def test_only_admins_read_or_change_the_settings(client, cast):
    assert patch(client, cast.facilitator, {"content_retention_months": 6}).status_code == 403
    assert client.get(URL, **bearer(cast.member)).status_code == 403
    assert client.get("/api/organizations/globex/settings", **bearer(cast.admin)).status_code == 404
    cast.organization.refresh_from_db()
    assert cast.organization.content_retention_months is None
