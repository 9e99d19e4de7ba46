"""Deployment checks (`manage.py check --deploy`) for what Django's own do not cover."""

from django.conf import settings
from django.core.checks import Error, register

NOT_DELIVERING = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}


@register("email", deploy=True)
def email_backend_delivers(app_configs, **kwargs):
    """With DEBUG off, e-mail must reach people: printed to the log, an invitation or a
    reset link is both lost and exposed to whoever reads the log."""
    if settings.DEBUG or settings.EMAIL_BACKEND not in NOT_DELIVERING:
        return []
    return [
        Error(
            f"E-mail is not delivered: EMAIL_BACKEND is {settings.EMAIL_BACKEND} with DEBUG off.",
            hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD) to "
            "your SMTP server.",
            id="peergroups.E001",
        )
    ]
