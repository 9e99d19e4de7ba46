"""Invitation links: they create an account once, before they expire, for their address only."""

import re
from datetime import timedelta

import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peergroups.accounts.models import User
from peergroups.organizations.models import OrganizationRole, Role
from peergroups.organizations.services import invitation_create
from peergroups.people.models import MemberProfile

NEW_PASSWORD = "a-long-and-fine-passphrase"


def invite(cast, email="newcomer@acme.test", role=Role.MEMBER, send=False):
    return invitation_create(
        organization=cast.organization,
        email=email,
        role=role,
        program=cast.program,
        acting_user=cast.admin,
        send=send,
    )


def test_invited_person_creates_account_and_lands_on_intake(client, cast):
    invitation, token = invite(cast)
    url = reverse("accounts-invitation", args=[token])
    response = client.post(url, {"full_name": "Nina Newcomer", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("people-intake", args=["acme"])
    user = User.objects.get(email="newcomer@acme.test")
    assert user.check_password(NEW_PASSWORD)
    assert OrganizationRole.objects.filter(user=user, role=Role.MEMBER).exists()
    assert MemberProfile.objects.get(user=user).program == cast.program
    # Signed in straight away.
    assert client.get(reverse("people-intake", args=["acme"])).status_code == 200


def test_invitation_link_works_once(client, cast):
    _, token = invite(cast)
    url = reverse("accounts-invitation", args=[token])
    client.post(url, {"full_name": "Nina Newcomer", "password": NEW_PASSWORD})
    client.logout()
    again = client.get(url)
    assert again.status_code == 410
    assert b"already been used" in again.content
    reused = client.post(url, {"full_name": "Mallory", "password": NEW_PASSWORD})
    assert reused.status_code == 410
    assert User.objects.filter(email="newcomer@acme.test").count() == 1


def test_expired_invitation_is_refused_with_a_reason(client, cast):
    _, token = invite(cast)
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = client.post(
            reverse("accounts-invitation", args=[token]),
            {"full_name": "Late Larry", "password": NEW_PASSWORD},
        )
    assert response.status_code == 410
    assert b"expired" in response.content
    assert not User.objects.filter(email="newcomer@acme.test").exists()


def test_unknown_token_is_refused(client, cast):
    response = client.get(reverse("accounts-invitation", args=["not-a-real-token"]))
    assert response.status_code == 410
    assert b"not valid" in response.content


def test_weak_password_re_renders_with_the_name_kept(client, cast):
    _, token = invite(cast)
    response = client.post(
        reverse("accounts-invitation", args=[token]), {"full_name": "Nina", "password": "123"}
    )
    assert response.status_code == 422
    assert b"too short" in response.content
    assert b'value="Nina"' in response.content
    assert not User.objects.filter(email="newcomer@acme.test").exists()


def test_existing_account_accepts_after_signing_in(client, cast):
    _, token = invite(cast, email=cast.outsider.email)
    client.force_login(cast.outsider)
    url = reverse("accounts-invitation", args=[token])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert OrganizationRole.objects.filter(
        user=cast.outsider, organization=cast.organization, role=Role.MEMBER
    ).exists()


def test_invitation_for_someone_else_is_refused_while_signed_in(client, cast):
    _, token = invite(cast)
    client.force_login(cast.member)
    response = client.post(reverse("accounts-invitation", args=[token]))
    assert response.status_code == 403
    assert not OrganizationRole.objects.filter(user=cast.member, role=Role.ADMIN).exists()


def test_facilitator_invitation_gives_applicant_role_not_facilitator(client, cast):
    _, token = invite(cast, email="fiona@acme.test", role=Role.FACILITATOR)
    response = client.post(
        reverse("accounts-invitation", args=[token]),
        {"full_name": "Fiona", "password": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("people-facilitator-apply", args=["acme"])
    roles = set(
        OrganizationRole.objects.filter(user__email="fiona@acme.test").values_list(
            "role", flat=True
        )
    )
    assert roles == {Role.APPLICANT}


def test_admin_sends_invitation_by_email(
    client, cast, django_capture_on_commit_callbacks, run_tasks
):
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organizations-invitations", args=["acme"]),
            {"email": "Invitee@Acme.test", "role": Role.MEMBER, "program": cast.program.pk},
        )
    assert response.status_code == 302
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["invitee@acme.test"]
    link = re.search(r"http://\S+/invite/\S+/", message.body).group(0)
    path = link.split("8000", 1)[1]
    client.logout()
    assert client.get(path).status_code == 200


def test_second_open_invitation_for_same_address_is_refused(client, cast):
    invite(cast)
    client.force_login(cast.admin)
    response = client.post(
        reverse("organizations-invitations", args=["acme"]),
        {"email": "newcomer@acme.test", "role": Role.MEMBER},
    )
    assert response.status_code == 422
    assert b"open invitation already" in response.content  # the service's sentence, on the form
