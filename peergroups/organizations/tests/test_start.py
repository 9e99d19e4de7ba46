"""Starting an organization on an empty install: the command, the first-run page and the
organization's settings (issue 20, item 1)."""

import html
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from peergroups.accounts.models import User
from peergroups.audit.models import AuditEntry
from peergroups.dashboards.retention import group_content_expire_all
from peergroups.errors import Invalid
from peergroups.organizations.models import (
    RETENTION_MONTHS_MAX,
    RETENTION_MONTHS_MIN,
    FirstRunKey,
    Organization,
    OrganizationRole,
    Role,
)
from peergroups.organizations.services import organization_settings_update

SETUP = reverse("organizations-first-run")


def run_command(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def first_run_data(key: str, **overrides) -> dict:
    data = {
        "setup_key": key,
        "name": "Acme Manufacturing",
        "slug": "",
        "admin_name": "Hana Head",
        "admin_email": "Hana@Acme.example",
        "password": "a-long-enough-passphrase-7",
    }
    data.update(overrides)
    return data


def test_create_organization_makes_the_admin_and_a_one_time_password_link(client, db):
    out = run_command(
        "create_organization",
        "--name",
        "Acme Manufacturing",
        "--slug",
        "acme-mfg",
        "--admin-email",
        "Hana@Acme.example",
        "--admin-name",
        "Hana Head",
    )
    organization = Organization.objects.get(slug="acme-mfg")
    admin = User.objects.get(email="hana@acme.example")
    assert OrganizationRole.objects.filter(
        organization=organization, user=admin, role=Role.ADMIN
    ).exists()
    assert not admin.has_usable_password()
    link = re.search(r"http://\S+/accounts/reset/\S+/", out).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    # Django's confirm view swaps the token for a session marker, then shows the form.
    form_page = client.get("/" + path, follow=True)
    assert form_page.status_code == 200 and b"new_password1" in form_page.content
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "chosen-passphrase-42", "new_password2": "chosen-passphrase-42"},
    )
    admin.refresh_from_db()
    assert admin.check_password("chosen-passphrase-42")
    # One time: the same link no longer opens the form.
    again = client.get("/" + path, follow=True)
    assert b"new_password1" not in again.content
    assert client.login(username="hana@acme.example", password="chosen-passphrase-42")
    assert client.get(reverse("organizations-settings", args=["acme-mfg"])).status_code == 200


def test_create_organization_refuses_a_taken_slug_and_keeps_an_existing_account(cast):
    with pytest.raises(CommandError, match="“acme” is taken"):
        run_command(
            "create_organization", "--name", "Acme 2", "--slug", "acme", "--admin-email", "x@y.z"
        )
    out = run_command(
        "create_organization", "--name", "Second Circle", "--admin-email", cast.member.email
    )
    assert "had an account already" in out and "/accounts/reset/" not in out
    organization = Organization.objects.get(slug="second-circle")
    assert organization.roles.get(role=Role.ADMIN).user == cast.member
    cast.member.refresh_from_db()
    assert cast.member.has_usable_password()


def test_first_run_page_needs_the_printed_key_and_is_gone_afterwards(client, db):
    assert client.get("/").url == SETUP
    assert client.get(SETUP).status_code == 200
    out = run_command("setup_key")
    key = re.search(r"^\s+([0-9a-f]{24})$", out, re.MULTILINE).group(1)
    assert FirstRunKey.objects.count() == 1
    assert run_command("setup_key").count(key) == 1  # the same key on every call

    wrong = client.post(SETUP, first_run_data("0" * 24))
    assert wrong.status_code == 422
    assert "That setup key is not this install's" in html.unescape(wrong.content.decode())
    assert 'value="Acme Manufacturing"' in wrong.content.decode()  # what was typed stays
    assert not Organization.objects.exists()

    done = client.post(SETUP, first_run_data(key))
    assert done.status_code == 302
    assert done.url == reverse("organizations-settings", args=["acme-manufacturing"])
    organization = Organization.objects.get()
    admin = User.objects.get(email="hana@acme.example")
    assert admin.full_name == "Hana Head" and admin.check_password("a-long-enough-passphrase-7")
    assert organization.roles.get().role == Role.ADMIN
    assert client.get(done.url).status_code == 200  # signed in as its admin
    assert not FirstRunKey.objects.exists()
    # Gone: the page, its key, and the home page's offer.
    assert client.get(SETUP).status_code == 404
    client.logout()
    assert client.post(SETUP, first_run_data(key, name="Claim")).status_code == 404
    assert client.get("/").url == reverse("login")
    assert "no setup key is needed" in run_command("setup_key")


def test_first_run_without_a_key_made_says_how_to_get_one(client, db):
    page = client.get(SETUP)
    assert "manage.py setup_key" in page.content.decode()
    refused = client.post(SETUP, first_run_data("whatever"))
    assert refused.status_code == 422
    assert "setup_key" in refused.content.decode()
    assert not Organization.objects.exists()


def test_first_run_get_writes_nothing(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        client.get(SETUP)
    assert not FirstRunKey.objects.exists()


SETTINGS = reverse("organizations-settings", args=["acme"])


def settings_data(**overrides) -> dict:
    data = {
        "name": "Acme Leaders",
        "time_zone": "America/Chicago",
        "email_sender_name": "Acme Leadership Development",
        "email_reply_to": "Groups@Acme.example",
        "facilitator_qualifications": "completed our facilitator training\n\nmanages managers\n",
        "default_language": "en",
    }
    data.update(overrides)
    return data


def test_admin_changes_the_settings_and_the_change_is_audited(client, cast):
    client.force_login(cast.admin)
    page = client.get(SETTINGS)
    assert page.status_code == 200
    assert reverse("people-categories", args=["acme"]) in page.content.decode()
    assert client.post(SETTINGS, settings_data()).status_code == 302
    cast.organization.refresh_from_db()
    assert cast.organization.time_zone == "America/Chicago"
    assert cast.organization.email_sender_name == "Acme Leadership Development"
    assert cast.organization.email_reply_to == "groups@acme.example"
    assert cast.organization.facilitator_qualifications == [
        "completed our facilitator training",
        "manages managers",
    ]
    entry = AuditEntry.objects.get(action="organization_settings")
    assert entry.after["time_zone"] == "America/Chicago"
    # An empty list goes back to the field's three.
    client.post(SETTINGS, settings_data(facilitator_qualifications=""))
    cast.organization.refresh_from_db()
    assert cast.organization.facilitator_qualifications is None
    assert len(cast.organization.qualification_list) == 3


def test_bad_settings_are_shown_on_the_form_and_keep_what_was_typed(client, cast):
    client.force_login(cast.admin)
    page = client.post(
        SETTINGS, settings_data(email_reply_to="not an address", name="Acme Renamed")
    )
    assert page.status_code == 422
    assert 'value="Acme Renamed"' in page.content.decode()
    cast.organization.refresh_from_db()
    assert cast.organization.name == "Acme Leaders"
    bad_zone = client.post(SETTINGS, settings_data(time_zone="Mars/Olympus"))
    assert bad_zone.status_code == 422


def test_only_admins_change_settings(client, cast):
    client.force_login(cast.facilitator)
    assert client.post(SETTINGS, settings_data(name="Taken over")).status_code == 403
    cast.organization.refresh_from_db()
    assert cast.organization.name == "Acme Leaders"


def test_admin_sets_the_retention_period_and_the_nightly_job_follows_it(client, cast):
    client.force_login(cast.admin)
    page = client.get(SETTINGS).content.decode()
    assert "Delete what people wrote in groups after (months)" in page
    assert "The counts stay" in page
    assert client.post(SETTINGS, settings_data(content_retention_months="12")).status_code == 302
    cast.organization.refresh_from_db()
    assert cast.organization.content_retention_months == 12
    entry = AuditEntry.objects.get(action="organization_settings")
    assert entry.before["content_retention_months"] is None
    assert entry.after["content_retention_months"] == 12
    assert 'name="content_retention_months" value="12"' in client.get(SETTINGS).content.decode()
    # The scheduler's job reads the period the page set.
    assert list(group_content_expire_all()) == ["acme"]
    # Emptied: group texts are kept again, and that change is audited too.
    assert client.post(SETTINGS, settings_data(content_retention_months="")).status_code == 302
    cast.organization.refresh_from_db()
    assert cast.organization.content_retention_months is None
    assert AuditEntry.objects.filter(action="organization_settings").count() == 2
    assert group_content_expire_all() == {}


@pytest.mark.parametrize("months", ["2", "0", "-1", "121", "twelve", "1.5"])
def test_a_retention_period_out_of_bounds_is_refused_on_the_form(client, cast, months):
    client.force_login(cast.admin)
    page = client.post(SETTINGS, settings_data(content_retention_months=months, name="Acme X"))
    assert page.status_code == 422
    text = page.content.decode()
    assert 'value="Acme X"' in text
    assert "content_retention_months" in text
    cast.organization.refresh_from_db()
    assert cast.organization.content_retention_months is None
    assert cast.organization.name == "Acme Leaders"
    assert not AuditEntry.objects.filter(action="organization_settings").exists()


def test_the_service_refuses_a_retention_period_out_of_bounds(cast):
    for months in (RETENTION_MONTHS_MIN - 1, RETENTION_MONTHS_MAX + 1):
        with pytest.raises(Invalid) as refusal:
            organization_settings_update(
                organization=cast.organization,
                acting_user=cast.admin,
                name="Acme Leaders",
                time_zone="UTC",
                email_sender_name="",
                email_reply_to="",
                facilitator_qualifications=None,
                content_retention_months=months,
                default_language="en",
            )
        assert refusal.value.field == "content_retention_months"
    cast.organization.refresh_from_db()
    assert cast.organization.content_retention_months is None


def test_only_admins_set_the_retention_period(client, cast):
    client.force_login(cast.facilitator)
    assert client.post(SETTINGS, settings_data(content_retention_months="3")).status_code == 403
    cast.organization.refresh_from_db()
    assert cast.organization.content_retention_months is None
