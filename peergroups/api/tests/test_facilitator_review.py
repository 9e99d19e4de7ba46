"""Facilitator approval through the API (issue 20): the same service, rules and errors as
the facilitators page; the applicant is told by e-mail."""

import json

from django.core import mail

from peergroups.audit.models import AuditEntry
from peergroups.organizations.models import OrganizationRole, Role
from peergroups.people.models import FacilitatorProfile, FacilitatorStatus

from .helpers import bearer


def post(client, user, profile, decision, body=None):
    return client.post(
        f"/api/organizations/acme/facilitators/{profile.pk}/{decision}",
        json.dumps(body or {}),
        content_type="application/json",
        **bearer(user),
    )


def applicant(cast, **qualifications) -> FacilitatorProfile:
    fields = dict(built_own_business=True, trained_feedback_coach=True, expertise=["a", "b"])
    return FacilitatorProfile.objects.create(
        organization=cast.organization, user=cast.member2, **(fields | qualifications)
    )


def test_admin_approves_and_the_applicant_becomes_a_facilitator(
    client, cast, run_tasks, django_capture_on_commit_callbacks
):
    profile = applicant(cast)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, cast.admin, profile, "approve", {"note": "Welcome & thanks"})
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["user"]["id"], body["status"], body["gaps"]) == (
        profile.pk,
        cast.member2.pk,
        FacilitatorStatus.APPROVED,
        [],
    )
    assert OrganizationRole.objects.filter(user=cast.member2, role=Role.FACILITATOR).exists()
    assert AuditEntry.objects.filter(action="facilitator_approve", actor=cast.admin).exists()
    run_tasks()
    (message,) = mail.outbox
    assert message.to == [cast.member2.email] and "Welcome & thanks" in message.body
    again = post(client, cast.admin, profile, "approve")
    assert again.status_code == 409 and "already" in again.json()["detail"]


def test_an_unqualified_applicant_is_409_with_the_page_s_reason(client, cast):
    profile = applicant(cast, trained_feedback_coach=False)
    response = post(client, cast.admin, profile, "approve")
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Cannot approve: the applicant")
    profile.refresh_from_db()
    assert profile.status == FacilitatorStatus.PENDING


def test_admin_refuses_and_an_approved_facilitator_is_not_refused(client, cast):
    profile = applicant(cast)
    response = post(client, cast.admin, profile, "refuse", {"note": "Not this year."})
    assert response.status_code == 200 and response.json()["status"] == FacilitatorStatus.REJECTED
    approved = FacilitatorProfile.objects.get(user=cast.facilitator)
    assert post(client, cast.admin, approved, "refuse").status_code == 409


def test_only_the_organization_s_admins_review(client, cast):
    profile = applicant(cast)
    assert post(client, cast.member, profile, "approve").status_code == 403
    assert post(client, cast.facilitator, profile, "refuse").status_code == 403
    assert post(client, cast.outsider, profile, "approve").status_code == 404
    too_long = post(client, cast.admin, profile, "approve", {"note": "x" * 2001})
    assert too_long.status_code == 422
    profile.refresh_from_db()
    assert profile.status == FacilitatorStatus.PENDING
