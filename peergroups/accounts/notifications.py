"""Per-person e-mail preferences: the one place they are written and listed.

Whether an e-mail goes out is decided in one function, `organizations.recipients`
(the person is still part of the organization, and their choice here). A person's own
inbox settings change nobody's access, so they are not audited (and this app sits below
the audit log)."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from peergroups.accounts.models import (
    ACCOUNT_KINDS,
    DIGEST_KINDS,
    NotificationChoice,
    NotificationKind,
    NotificationPreference,
    User,
)
from peergroups.errors import Invalid


def notification_choices(
    *, user_ids, kind: str, organization_id: int | None = None
) -> dict[int, str]:
    """user id -> choice (`NotificationChoice`) for `kind` in the organization, for each
    of `user_ids` who made one: the organization's own row wins over the account's. One
    query however many people; those without a row get the default, EACH."""
    rows = NotificationPreference.objects.filter(user_id__in=set(user_ids), kind=kind).filter(
        Q(organization__isnull=True) | Q(organization_id=organization_id)
    )
    choices: dict[int, str] = {}
    # The account-wide rows first, so an organization's row overwrites them.
    for user_id, _, choice in sorted(
        rows.values_list("user_id", "organization_id", "choice"),
        key=lambda row: row[1] is not None,
    ):
        choices[user_id] = choice
    return choices


def notification_choice(*, user: User, kind: str, organization_id: int | None = None) -> str:
    choices = notification_choices(user_ids=[user.pk], kind=kind, organization_id=organization_id)
    return choices.get(user.pk, NotificationChoice.EACH)


def notification_preferences_of(*, user: User) -> dict[str, bool]:
    """The account-wide e-mails, each on or off."""
    off = set(
        NotificationPreference.objects.filter(
            user=user, organization__isnull=True, choice=NotificationChoice.OFF
        ).values_list("kind", flat=True)
    )
    return {kind: kind not in off for kind in ACCOUNT_KINDS}


@transaction.atomic
def notification_preferences_save(*, user: User, wanted: set[str]) -> None:
    """Keep the account-wide e-mails in `wanted` on and turn every other one off."""
    unknown = set(wanted) - set(ACCOUNT_KINDS)
    if unknown:
        raise Invalid(
            gettext("Unknown notification: %(items)s.") % {"items": ", ".join(sorted(unknown))},
            field="kinds",
        )
    for kind in ACCOUNT_KINDS:
        notification_choice_set(
            user=user,
            kind=kind,
            choice=NotificationChoice.EACH if kind in wanted else NotificationChoice.OFF,
        )


@transaction.atomic
def notification_choice_set(
    *, user: User, kind: str, choice: str, organization_id: int | None = None
) -> None:
    """Record `user`'s choice for `kind` (in one organization, or for all of them when
    `organization_id` is None). The default, EACH, is kept as a row only where it
    overrides an account-wide choice, so "no row" stays the common case."""
    if kind not in NotificationKind.values:
        raise Invalid(gettext("Unknown notification: %(kind)s.") % {"kind": kind}, field="kind")
    allowed = set(NotificationChoice.values)
    if kind not in DIGEST_KINDS:
        allowed.discard(NotificationChoice.WEEKLY_DIGEST)
    if choice not in allowed:
        raise Invalid(gettext("Choose how often to be e-mailed."), field="choice")
    rows = NotificationPreference.objects.filter(
        user=user, kind=kind, organization_id=organization_id
    )
    if choice == NotificationChoice.EACH and organization_id is None:
        rows.delete()
        return
    rows.update_or_create(
        user=user,
        kind=kind,
        organization_id=organization_id,
        defaults={"choice": choice, "created_at": timezone.now()},
    )
