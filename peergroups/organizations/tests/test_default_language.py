"""An organization's default language: set by an admin on the settings page or through
the admin API, audited with before and after; a code the site does not offer is refused."""

import json

from django.urls import reverse

from peergroups.api.tests.helpers import bearer
from peergroups.audit.models import AuditEntry

SETTINGS = reverse("organizations-settings", args=["acme"])
API = "/api/organizations/acme/settings"


def form(organization, **changes) -> dict:
    data = {
        "name": organization.name,
        "time_zone": organization.time_zone,
        "email_sender_name": "",
        "email_reply_to": "",
        "facilitator_qualifications": "",
        "default_language": organization.default_language,
    }
    return {**data, **changes}


def test_admin_sets_the_default_language_and_it_is_audited(client, cast):
    client.force_login(cast.admin)
    assert 'name="default_language"' in client.get(SETTINGS).text
    assert client.post(SETTINGS, form(cast.organization, default_language="de")).status_code == 302
    cast.organization.refresh_from_db()
    assert cast.organization.default_language == "de"
    entry = AuditEntry.objects.get(action="organization_settings")
    assert entry.before == {"default_language": "en"}
    assert entry.after == {"default_language": "de"}
    # The page itself now answers in German (the admin chose no language of their own).
    assert "Einstellungen speichern" in client.get(SETTINGS).text


def test_an_unknown_default_language_is_shown_on_the_form(client, cast):
    client.force_login(cast.admin)
    page = client.post(SETTINGS, form(cast.organization, default_language="xx"))
    assert page.status_code == 422
    cast.organization.refresh_from_db()
    assert cast.organization.default_language == "en"


def test_the_admin_api_reads_and_sets_the_default_language(client, cast):
    assert client.get(API, **bearer(cast.admin)).json()["default_language"] == "en"
    changed = client.patch(
        API,
        json.dumps({"default_language": "de"}),
        content_type="application/json",
        **bearer(cast.admin),
    )
    assert changed.status_code == 200 and changed.json()["default_language"] == "de"
    cast.organization.refresh_from_db()
    assert cast.organization.default_language == "de"
    refused = client.patch(
        API,
        json.dumps({"default_language": "fr"}),
        content_type="application/json",
        **bearer(cast.admin),
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "default_language"
    facilitator = client.patch(
        API,
        json.dumps({"default_language": "en"}),
        content_type="application/json",
        **bearer(cast.facilitator),
    )
    assert facilitator.status_code == 403
