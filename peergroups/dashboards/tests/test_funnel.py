"""The invitations funnel: counts per step, who stalls, resend and revoke."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peergroups.audit.models import AuditEntry
from peergroups.errors import Conflict, Gone, NotFound
from peergroups.organizations.models import Invitation, Role
from peergroups.organizations.services import (
    invitation_create,
    invitation_resend,
    invitation_revoke,
)
from peergroups.people.invitations import invitation_for_token
from peergroups.people.models import MemberProfile


def funnel_url(**query):
    url = reverse("dashboards-funnel", kwargs={"org_slug": "acme"})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def invited(cast):
    invitation, token = invitation_create(
        organization=cast.organization,
        email="new@acme.test",
        role=Role.MEMBER,
        program=cast.program,
        acting_user=cast.admin,
        send=False,
    )
    return invitation, token


@pytest.mark.django_db
def test_funnel_counts_each_step(client, cast, invited):
    MemberProfile.objects.filter(user=cast.member).update(completed_at=timezone.now())
    client.force_login(cast.admin)
    response = client.get(funnel_url(program=cast.program.pk))
    assert response.status_code == 200
    funnel = response.context["funnel"]
    # One open invitation; three members have profiles, one finished the intake and is placed.
    assert funnel.steps == [
        ("Invited", 1),
        ("Accepted", 0),
        ("Intake complete", 1),
        ("Placed in a group", 3),
    ]
    page = response.content.decode()
    assert "new@acme.test" in page and "Max Member" in page


@pytest.mark.django_db
def test_resend_e_mails_the_link_again(
    client, cast, invited, run_tasks, django_capture_on_commit_callbacks
):
    invitation, _ = invited
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(funnel_url(), {"action": "resend", "invitation": invitation.pk})
    assert response.status_code == 302
    run_tasks()
    assert [m.to for m in mail.outbox] == [["new@acme.test"]]


@pytest.mark.django_db
def test_revoke_stops_the_link_and_is_audited(cast, invited):
    invitation, token = invited
    invitation_revoke(
        organization=cast.organization, acting_user=cast.admin, invitation_id=invitation.pk
    )
    with pytest.raises(Gone):
        invitation_for_token(token=token)
    assert AuditEntry.objects.filter(action="invitation_revoke").exists()
    # Resending a revoked invitation gives it a new link; an accepted one cannot be resent.
    invitation_resend(
        organization=cast.organization, acting_user=cast.admin, invitation_id=invitation.pk
    )
    assert Invitation.objects.get(pk=invitation.pk).is_open
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    with pytest.raises(Conflict, match="accepted"):
        invitation_revoke(
            organization=cast.organization, acting_user=cast.admin, invitation_id=invitation.pk
        )


@pytest.mark.django_db
def test_another_organizations_invitation_is_not_found(cast, invited):
    invitation, _ = invited
    with pytest.raises(NotFound):
        invitation_revoke(
            organization=cast.other_organization,
            acting_user=cast.outsider,
            invitation_id=invitation.pk,
        )


@pytest.mark.django_db
def test_only_admins_open_the_funnel(client, cast):
    client.force_login(cast.facilitator)
    assert client.get(funnel_url()).status_code == 403
