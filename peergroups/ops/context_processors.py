"""Whether the signed-in person sees the development outbox in the menu (ops.outbox)."""

from django.conf import settings


def dev_outbox(request) -> dict:
    user = getattr(request, "user", None)
    return {"show_outbox": bool(settings.MAIL_OUTBOX and user is not None and user.is_staff)}
