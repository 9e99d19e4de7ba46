"""Background e-mail for invitations, run by `manage.py db_worker`.

The task is queued with the invitation's id only: the task table is readable by
anyone with database access, so it must not hold a link that opens the invitation.
"""

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from peergroups.ops.mail import email_send, retry_email
from peergroups.organizations.models import Invitation
from peergroups.organizations.services import (
    invitation_mark_sent,
    invitation_send_failed,
    invitation_token,
)


@task()
@retry_email(on_failure=invitation_send_failed)
def invitation_send(invitation_id: int) -> None:
    invitation = (
        Invitation.objects.select_related("organization", "created_by", "program")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_open or not invitation.token_salt:
        return  # accepted, expired or withdrawn since it was queued: nothing to send
    link = settings.BASE_URL + reverse(
        "accounts-invitation", kwargs={"token": invitation_token(invitation)}
    )
    email_send(
        to=invitation.email,
        subject=f"You are invited to {invitation.organization.name} on Peergroups",
        template="organizations/email/invitation.txt",
        context={"invitation": invitation, "link": link},
        organization=invitation.organization,
    )
    invitation_mark_sent(invitation=invitation)
