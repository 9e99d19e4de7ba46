"""Facilitator applications and their approval by a program admin."""

from django.urls import reverse

from peergroups.organizations.models import OrganizationRole, Role
from peergroups.people.models import FacilitatorProfile, FacilitatorStatus

APPLY = reverse("people-facilitator-apply", args=["acme"])


def application(**overrides) -> dict:
    data = {
        "built_own_business": "on",
        "business_description": "Founded and sold a logistics company.",
        "trained_feedback_coach": "on",
        "coach_training": "Co-Active Training Institute, 2019",
        "expertise": ["operations", "finance", "hiring"],
        "capacity": "2",
        "regions_served": "Boston, Chicago",
        "industries_served": "Manufacturing",
        "bio": "Twenty years of running teams.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def review(client, profile, decision, note=""):
    return client.post(
        reverse("people-facilitator-review", args=["acme", profile.pk]),
        {"decision": decision, "note": note},
        follow=True,
    )


def test_member_applies_and_admin_approves(client, cast):
    client.force_login(cast.member)
    assert client.post(APPLY, application()).status_code == 302
    profile = FacilitatorProfile.objects.get(user=cast.member)
    assert profile.status == FacilitatorStatus.PENDING
    assert profile.regions_served == ["Boston", "Chicago"]

    client.force_login(cast.admin)
    listing = client.get(reverse("people-facilitators", args=["acme"]))
    assert b"Founded and sold a logistics company" in listing.content
    response = review(client, profile, "approve")
    assert b"now an approved facilitator" in response.content
    profile.refresh_from_db()
    assert profile.status == FacilitatorStatus.APPROVED
    assert profile.reviewed_by == cast.admin
    assert OrganizationRole.objects.filter(user=cast.member, role=Role.FACILITATOR).exists()


def test_unqualified_application_cannot_be_approved(client, cast):
    client.force_login(cast.member)
    client.post(
        APPLY, application(trained_feedback_coach=None, coach_training="", expertise=["sales"])
    )
    profile = FacilitatorProfile.objects.get(user=cast.member)
    client.force_login(cast.admin)
    response = review(client, profile, "approve")
    assert b"not a trained feedback coach" in response.content
    assert b"fewer than 2 areas" in response.content
    profile.refresh_from_db()
    assert profile.status == FacilitatorStatus.PENDING
    assert not OrganizationRole.objects.filter(user=cast.member, role=Role.FACILITATOR).exists()


def test_admin_declines_with_a_note_the_applicant_sees(client, cast):
    client.force_login(cast.member)
    client.post(APPLY, application())
    profile = FacilitatorProfile.objects.get(user=cast.member)
    client.force_login(cast.admin)
    review(client, profile, "reject", note="We are full this year.")
    client.force_login(cast.member)
    dashboard = client.get(reverse("organizations-dashboard", args=["acme"]))
    assert b"Not approved" in dashboard.content
    assert b"We are full this year." in dashboard.content


def test_application_missing_details_re_renders_and_keeps_answers(client, cast):
    client.force_login(cast.member)
    response = client.post(APPLY, application(business_description="", capacity="0"))
    assert response.status_code == 422
    assert b"Tell us about the business you built." in response.content
    assert b"Choose between 1 and 20 groups." in response.content
    assert b"Co-Active Training Institute, 2019" in response.content
    assert not FacilitatorProfile.objects.filter(user=cast.member).exists()


def test_applicant_from_invitation_sees_the_application_page(client, cast):
    from conftest import make_user
    from peergroups.organizations.services import role_grant

    applicant = make_user("app@acme.test", "Appy")
    role_grant(
        organization=cast.organization, user=applicant, role=Role.APPLICANT, acting_user=None
    )
    client.force_login(applicant)
    assert client.get(APPLY).status_code == 200
    assert client.get(reverse("people-intake", args=["acme"])).status_code == 403
    assert client.get(reverse("organizations-members", args=["acme"])).status_code == 403


def test_internal_program_approves_by_its_own_qualifications(client, cast):
    """A company's own list replaces the field's three on the form, the list and approval."""
    asked = ["completed our facilitator training", "manages managers"]
    cast.organization.facilitator_qualifications = asked
    cast.organization.save()
    client.force_login(cast.member)
    form = client.get(APPLY).content.decode()
    assert "completed our facilitator training" in form
    assert "built_own_business" not in form and "trained feedback coach" not in form
    # Only one of the two, no business built, one area of expertise: the company does
    # not ask the field's three, so only its own missing item stands in the way.
    sent = client.post(
        APPLY,
        {"qualifications": [asked[0]], "expertise": ["sales"], "capacity": "1"},
    )
    assert sent.status_code == 302
    profile = FacilitatorProfile.objects.get(user=cast.member)
    assert profile.qualifications == [asked[0]]
    assert profile.qualification_gaps() == ["does not meet “manages managers”"]
    client.force_login(cast.admin)
    listing = client.get(reverse("people-facilitators", args=["acme"])).content.decode()
    assert "manages managers: <strong>no</strong>" in listing
    refused = review(client, profile, "approve")
    assert "does not meet “manages managers”" in refused.content.decode()
    profile.refresh_from_db()
    assert profile.status == FacilitatorStatus.PENDING

    client.force_login(cast.member)
    client.post(APPLY, {"qualifications": asked, "capacity": "1"})
    client.force_login(cast.admin)
    review(client, profile, "approve")
    profile.refresh_from_db()
    assert profile.status == FacilitatorStatus.APPROVED
    assert not profile.built_own_business
    assert OrganizationRole.objects.filter(user=cast.member, role=Role.FACILITATOR).exists()


def test_qualifications_not_asked_are_refused_on_the_form(client, cast):
    cast.organization.facilitator_qualifications = ["manages managers"]
    cast.organization.save()
    client.force_login(cast.member)
    page = client.post(APPLY, {"qualifications": ["has built their own business"], "capacity": "1"})
    assert page.status_code == 422
    assert not FacilitatorProfile.objects.filter(user=cast.member).exists()
