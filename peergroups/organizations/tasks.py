"""Background e-mail for invitations, run by `manage.py db_worker`, and its bookkeeping
(the link rebuilt for the e-mail, sent or failed, the one reminder claimed): services
import this module to queue the e-mail, so it imports no service.

The task is queued with the invitation's id only: the task table is readable by
anyone with database access, so it must not hold a link that opens the invitation.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_tasks import task

from peergroups.accounts.models import User
from peergroups.formats import lazy_format
from peergroups.ops.mail import email_language, email_send, retry_email
from peergroups.organizations.models import Invitation, token_from_salt


def invitation_token(invitation: Invitation) -> str:
    """The invitation's link token, rebuilt from its salt (for the e-mail task)."""
    return token_from_salt("invitation", invitation.token_salt)


def invitation_mark_sent(*, invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now(), send_failed_at=None, send_error=""
    )


def invitation_send_failed(invitation_id: int, *, reason: str) -> None:
    """The e-mail task gave up: the funnel shows the invitation as not delivered, with the
    reason, until a resend gets through."""
    Invitation.objects.filter(pk=invitation_id).update(
        send_failed_at=timezone.now(), send_error=reason[:300]
    )


def invitation_reminder_claim(*, invitation_id: int) -> bool:
    """Claim the one reminder of an unaccepted invitation; False when it went out already.

    A conditional update, so two workers never both send it; call it in the transaction
    that sends the e-mail, so a failed send releases the claim.
    """
    claimed = Invitation.objects.filter(
        pk=invitation_id, reminded_at__isnull=True, accepted_at__isnull=True
    ).update(reminded_at=timezone.now())
    return claimed == 1


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
    # In the language of the account the address has, if any, else the organization's.
    account = User.objects.filter(email__iexact=invitation.email).first()
    with email_language(user=account, organization=invitation.organization):
        email_send(
            to=invitation.email,
            subject=lazy_format(
                gettext_lazy("You are invited to %(organization_name)s on Peergroups"),
                organization_name=invitation.organization.name,
            ),
            template="organizations/email/invitation.txt",
            context={"invitation": invitation, "link": link},
            organization=invitation.organization,
        )
    invitation_mark_sent(invitation=invitation)
