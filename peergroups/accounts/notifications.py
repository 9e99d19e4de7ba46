"""Per-person e-mail preferences: every task that e-mails a person asks `wants_email` first.

A person's own inbox settings change nobody's access, so they are not audited (and this
app sits below the audit log)."""

from django.db import transaction

from peergroups.accounts.models import NotificationKind, NotificationPreference, User
from peergroups.errors import Invalid


def wants_email(*, user: User, kind: str) -> bool:
    return not NotificationPreference.objects.filter(user=user, kind=kind).exists()


def notification_preferences_of(*, user: User) -> dict[str, bool]:
    off = set(NotificationPreference.objects.filter(user=user).values_list("kind", flat=True))
    return {kind: kind not in off for kind in NotificationKind.values}


@transaction.atomic
def notification_preferences_save(*, user: User, wanted: set[str]) -> None:
    """Keep the e-mails in `wanted` on and turn every other kind off."""
    unknown = set(wanted) - set(NotificationKind.values)
    if unknown:
        raise Invalid(f"Unknown notification: {', '.join(sorted(unknown))}.", field="kinds")
    NotificationPreference.objects.filter(user=user, kind__in=wanted).delete()
    for kind in set(NotificationKind.values) - set(wanted):
        NotificationPreference.objects.get_or_create(user=user, kind=kind)
