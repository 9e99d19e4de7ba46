"""Password-reset e-mail, sent by a task worker (retried while the mail server is down),
never inside the web request.

The task is queued with the user's id only and makes the reset token itself when it
runs: no task row holds a link that would open the account.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from peergroups.accounts.models import User
from peergroups.ops.mail import email_language, email_send, email_text, retry_email

SUBJECT_TEMPLATE = "accounts/email/password_reset_subject.txt"
BODY_TEMPLATE = "accounts/email/password_reset.txt"


@task()
@retry_email()
def password_reset_send(user_id: int) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return  # deactivated (or set to sign in another way) since it was asked
    base = urlsplit(settings.BASE_URL)
    context = {
        "email": user.email,
        "domain": base.netloc,
        "site_name": "Peergroups",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": base.scheme or "https",
    }
    # The person's language, else that of an organization they belong to (accounts sits
    # below organizations: the roles are reached through the user).
    role = user.organization_roles.select_related("organization").order_by("pk").first()
    with email_language(user=user, organization=role.organization if role else None):
        subject = email_text(SUBJECT_TEMPLATE, context)
        email_send(to=user.email, subject=subject, template=BODY_TEMPLATE, context=context)
