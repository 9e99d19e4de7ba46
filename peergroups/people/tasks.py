"""E-mail about a person's own application, and reminders for stalled invitations and
intakes, run by `manage.py db_worker`."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_tasks import task

from peergroups.accounts.models import NotificationKind, User
from peergroups.formats import lazy_format
from peergroups.ops.mail import (
    email_language,
    email_message,
    email_send,
    in_recipient_language,
    retry_email,
)
from peergroups.organizations.recipients import may_email
from peergroups.organizations.tasks import invitation_reminder_claim, invitation_token
from peergroups.people.models import FacilitatorProfile, FacilitatorStatus, MemberProfile
from peergroups.people.selectors import stalled_intakes, stalled_invitations

logger = logging.getLogger(__name__)


@in_recipient_language(lambda profile: (profile.user, profile.organization))
def facilitator_review_message(profile: FacilitatorProfile) -> EmailMultiAlternatives:
    approved = profile.status == FacilitatorStatus.APPROVED
    organization = profile.organization
    subject = (
        lazy_format(
            gettext_lazy("You are a facilitator at %(organization_name)s"),
            organization_name=organization.name,
        )
        if approved
        else lazy_format(
            gettext_lazy("Your facilitator application at %(organization_name)s"),
            organization_name=organization.name,
        )
    )
    return email_message(
        to=profile.user.email,
        subject=subject,
        template="people/email/facilitator_review.txt",
        context={
            "profile": profile,
            "approved": approved,
            "link": settings.BASE_URL
            + reverse("organizations-dashboard", kwargs={"org_slug": organization.slug}),
        },
        organization=organization,
    )


@task()
@retry_email()
def facilitator_review_send(profile_id: int) -> None:
    """Tell the applicant the decision, with the reviewer's note, unless they turned it off."""
    profile = (
        FacilitatorProfile.objects.select_related("user", "organization")
        .filter(pk=profile_id)
        .exclude(status=FacilitatorStatus.PENDING)
        .first()
    )
    if profile is None or not may_email(
        user=profile.user,
        organization_id=profile.organization_id,
        kind=NotificationKind.FACILITATOR_REVIEW,
    ):
        return
    facilitator_review_message(profile).send()


def intake_reminder_claim(*, profile_id: int) -> bool:
    """Claim the one reminder to finish an intake; False when it went out already (or done)."""
    claimed = MemberProfile.objects.filter(
        pk=profile_id, intake_reminded_at__isnull=True, completed_at__isnull=True
    ).update(intake_reminded_at=timezone.now())
    return claimed == 1


def invitation_reminders_send_now() -> int:
    """Remind, once each, whoever stalled: invited a week ago and not accepted, or accepted
    a week ago with the intake not complete. Returns how many e-mails went out.

    Each reminder is claimed in the transaction that sends it: never twice, and a failed
    send releases the claim for the next run.
    """
    now = timezone.now()
    sent = 0
    for invitation in stalled_invitations(now=now):
        link = settings.BASE_URL + reverse(
            "accounts-invitation", kwargs={"token": invitation_token(invitation)}
        )
        # In the language of the account the address has, if any, else the organization's.
        account = User.objects.filter(email__iexact=invitation.email).first()
        with email_language(user=account, organization=invitation.organization):
            sent += _send_claimed(
                claim=lambda i=invitation: invitation_reminder_claim(invitation_id=i.pk),
                subject=lazy_format(
                    gettext_lazy("A reminder: your invitation to %(organization_name)s"),
                    organization_name=invitation.organization.name,
                ),
                template="people/email/invitation_reminder.txt",
                context={"invitation": invitation, "link": link},
                to=invitation.email,
                organization=invitation.organization,
            )
    for profile in stalled_intakes(now=now):
        if not may_email(user=profile.user, organization_id=profile.organization_id):
            continue
        link = settings.BASE_URL + reverse(
            "people-intake", kwargs={"org_slug": profile.organization.slug}
        )
        with email_language(user=profile.user, organization=profile.organization):
            sent += _send_claimed(
                claim=lambda p=profile: intake_reminder_claim(profile_id=p.pk),
                subject=lazy_format(
                    gettext_lazy("A reminder: your intake at %(organization_name)s"),
                    organization_name=profile.organization.name,
                ),
                template="people/email/intake_reminder.txt",
                context={"profile": profile, "link": link},
                to=profile.user.email,
                organization=profile.organization,
            )
    return sent


def _send_claimed(
    *, claim, subject: str, template: str, context: dict, to: str, organization
) -> int:
    try:
        with transaction.atomic():
            if not claim():
                return 0
            email_send(
                to=to,
                subject=subject,
                template=template,
                context=context,
                organization=organization,
            )
    except Exception:
        # One bad address must not stop the others; the claim rolled back.
        logger.exception("reminder %s failed", template)
        return 0
    return 1


@task()
def invitation_reminders_send() -> int:
    return invitation_reminders_send_now()
