"""E-mail about a person's own application, run by `manage.py db_worker`."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from peergroups.accounts.models import NotificationKind
from peergroups.accounts.notifications import wants_email
from peergroups.people.models import FacilitatorProfile, FacilitatorStatus


def facilitator_review_message(profile: FacilitatorProfile) -> tuple[str, str]:
    approved = profile.status == FacilitatorStatus.APPROVED
    organization = profile.organization
    subject = (
        f"You are a facilitator at {organization.name}"
        if approved
        else f"Your facilitator application at {organization.name}"
    )
    body = render_to_string(
        "people/email/facilitator_review.txt",
        {
            "profile": profile,
            "approved": approved,
            "link": settings.BASE_URL
            + reverse("organizations-dashboard", kwargs={"org_slug": organization.slug}),
        },
    )
    return subject, body


@task()
def facilitator_review_send(profile_id: int) -> None:
    """Tell the applicant the decision, with the reviewer's note, unless they turned it off."""
    profile = (
        FacilitatorProfile.objects.select_related("user", "organization")
        .filter(pk=profile_id)
        .exclude(status=FacilitatorStatus.PENDING)
        .first()
    )
    if profile is None or not wants_email(
        user=profile.user, kind=NotificationKind.FACILITATOR_REVIEW
    ):
        return
    subject, body = facilitator_review_message(profile)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [profile.user.email])
