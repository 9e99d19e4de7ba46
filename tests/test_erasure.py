"""An admin erases a person on request (issue 21, item 8): their identity leaves every
row, their group texts are deleted or kept without their name, and the figures are the
same before and after (so nothing about them can be worked out from a moved figure)."""

from datetime import date

import pytest
from django.urls import reverse

from conftest import PASSWORD
from peergroups.accounts.models import User
from peergroups.audit.models import AuditEntry
from peergroups.meetings import services as meetings
from peergroups.meetings.models import Issue
from peergroups.network.models import DirectoryEntry
from peergroups.organizations.models import OrganizationRole, Role
from peergroups.organizations.services import role_grant
from peergroups.outcomes.models import Pulse
from peergroups.outcomes.tests.conftest import answered_pulse
from peergroups.people.models import MemberProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def lived(cast):
    agreement = meetings.agreement_current(group=cast.group)
    meetings.agreement_accept(agreement=agreement, user=cast.member)
    meetings.issue_submit(
        group=cast.group,
        author=cast.member,
        title="Mia's hard call",
        category="hiring",
        situation="Mia's situation.",
        ask="Experiences, please.",
        urgency=2,
    )
    answered_pulse(cast, cast.member, date(2026, 11, 1), meeting_value=6, note="Mia's note")
    MemberProfile.objects.filter(user=cast.member).update(company="Mia Corp", challenges="Mine")
    DirectoryEntry.objects.create(organization=cast.organization, user=cast.member, listed=True)
    return cast


def _no_trace_of(cast, email: str, name: str) -> None:
    member = User.objects.get(pk=cast.member.pk)
    assert (member.full_name, member.is_active) == ("Erased person", False)
    assert email not in member.email and not member.has_usable_password()
    assert not User.objects.filter(email=email).exists()
    profile = MemberProfile.objects.get(user=member)
    assert (profile.company, profile.challenges) == ("", "")
    assert not DirectoryEntry.objects.filter(user=member).exists()
    assert not OrganizationRole.objects.filter(user=member).exists()
    assert name not in str(list(AuditEntry.objects.values("before", "after")))


def test_the_page_erases_and_deletes_group_texts_figures_unchanged(client, lived):
    email, name = lived.member.email, lived.member.full_name
    pulses_before = list(Pulse.objects.values_list("meeting_value", "answered_at"))
    client.force_login(lived.admin)
    url = reverse("dashboards-person", args=["acme", lived.member.pk])
    assert b"Erase on request" in client.get(url).content
    response = client.post(url, {"action": "erase", "group_content": "delete", "confirm": "1"})
    assert response.status_code == 302
    _no_trace_of(lived, email, name)
    issue = Issue.objects.get(author=lived.member)
    assert (issue.title, issue.situation) == ("(removed)", "")
    assert list(Pulse.objects.values_list("meeting_value", "answered_at")) == pulses_before
    assert Pulse.objects.get(user=lived.member).note == ""
    assert not client.login(email=email, password=PASSWORD)


def test_the_api_erases_and_keeps_group_texts_without_the_name(client, lived):
    email, name = lived.member.email, lived.member.full_name
    client.force_login(lived.admin)
    url = reverse("api:api-person-erase", kwargs={"org_slug": "acme", "user_id": lived.member.pk})
    response = client.post(url, {"group_content": "keep"}, content_type="application/json")
    assert response.status_code == 200, response.content
    _no_trace_of(lived, email, name)
    assert Issue.objects.get(author=lived.member).situation == "Mia's situation."
    assert AuditEntry.objects.filter(action="person_erase").exists()


def test_a_person_of_another_organization_too_is_not_erased(client, lived):
    role_grant(
        organization=lived.other_organization,
        user=lived.member,
        role=Role.MEMBER,
        acting_user=lived.outsider,
    )
    client.force_login(lived.admin)
    url = reverse("api:api-person-erase", kwargs={"org_slug": "acme", "user_id": lived.member.pk})
    response = client.post(url, {"group_content": "keep"}, content_type="application/json")
    assert response.status_code == 409
    assert User.objects.get(pk=lived.member.pk).email == lived.member.email
    for who in (lived.member, lived.facilitator):
        client.force_login(who)
        assert (
            client.post(url, {"group_content": "keep"}, content_type="application/json").status_code
            == 403
        )
