"""One reminder for whoever stalls: invited and not accepted, or accepted without intake."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from conftest import make_user
from peergroups.organizations.models import Invitation
from peergroups.organizations.services import invitation_create, invitation_revoke
from peergroups.organizations.tasks import invitation_mark_sent
from peergroups.people.invitations import invitation_accept
from peergroups.people.models import MemberProfile
from peergroups.people.tasks import invitation_reminders_send_now

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def invite(cast, email):
    invitation, token = invitation_create(
        organization=cast.organization,
        email=email,
        acting_user=cast.admin,
        program=cast.program,
        send=False,
    )
    invitation_mark_sent(invitation=invitation)
    return invitation, token


def test_an_unaccepted_invitation_is_reminded_once_after_a_week(cast):
    with time_machine.travel(START, tick=False) as clock:
        invitation, token = invite(cast, "late@acme.test")
        clock.move_to(START + timedelta(days=6))
        assert invitation_reminders_send_now() == 0
        invite(cast, "fresh@acme.test")  # invited only a day before the run below
        clock.move_to(START + timedelta(days=7, hours=1))
        assert invitation_reminders_send_now() == 1
        assert invitation_reminders_send_now() == 0  # once
    assert [m.to for m in mail.outbox] == [["late@acme.test"]]
    assert reverse("accounts-invitation", kwargs={"token": token}) in mail.outbox[0].body
    assert "only reminder" in mail.outbox[0].body
    assert Invitation.objects.get(pk=invitation.pk).reminded_at is not None


def test_accepted_revoked_and_expired_invitations_get_no_reminder(cast):
    with time_machine.travel(START, tick=False) as clock:
        _, token = invite(cast, "joined@acme.test")
        withdrawn, _ = invite(cast, "withdrawn@acme.test")
        invitation_revoke(
            organization=cast.organization, acting_user=cast.admin, invitation_id=withdrawn.pk
        )
        invitation_accept(token=token, user=make_user("joined@acme.test", "Jo Joined"))
        MemberProfile.objects.filter(user__email="joined@acme.test").update(completed_at=START)
        clock.move_to(START + timedelta(days=30))  # past expiry, too
        assert invitation_reminders_send_now() == 0
    assert mail.outbox == []


def test_accepted_without_intake_is_reminded_once_after_a_week(cast):
    with time_machine.travel(START, tick=False) as clock:
        _, token = invite(cast, "slow@acme.test")
        _, other_token = invite(cast, "done@acme.test")
        clock.move_to(START + timedelta(days=1))
        invitation_accept(token=token, user=make_user("slow@acme.test", "Sam Slow"))
        invitation_accept(token=other_token, user=make_user("done@acme.test", "Dee Done"))
        MemberProfile.objects.filter(user__email="done@acme.test").update(completed_at=START)
        clock.move_to(START + timedelta(days=7, hours=23))
        assert invitation_reminders_send_now() == 0  # accepted under a week ago
        clock.move_to(START + timedelta(days=8, hours=1))
        assert invitation_reminders_send_now() == 1
        assert invitation_reminders_send_now() == 0
    assert [m.to for m in mail.outbox] == [["slow@acme.test"]]
    message = mail.outbox[0]
    assert "Sam Slow" in message.body and "/acme/intake/" in message.body


def test_command_queues_the_task_and_the_worker_sends(cast, run_tasks):
    with time_machine.travel(START, tick=False) as clock:
        invite(cast, "late@acme.test")
        clock.move_to(START + timedelta(days=8))
        call_command("send_invitation_reminders", verbosity=0)
        run_tasks()
        call_command("send_invitation_reminders", "--now", verbosity=0)
    assert len(mail.outbox) == 1
