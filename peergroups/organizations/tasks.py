"""Background e-mail for invitations, run by `manage.py db_worker`."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from peergroups.organizations.models import Invitation


@task()
def invitation_send(invitation_id: int, token: str) -> None:
    invitation = Invitation.objects.select_related("organization", "created_by").get(
        pk=invitation_id
    )
    context = {
        "invitation": invitation,
        "link": settings.BASE_URL + reverse("accounts-invitation", kwargs={"token": token}),
    }
    send_mail(
        subject=f"You are invited to {invitation.organization.name} on Peergroups",
        message=render_to_string("organizations/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )
