"""Who is still part of an organization, and who gets its e-mail: one decision each.

A person's end (`dashboards.persons.person_deactivate` ends every role they held) is one
state: an active account holding a role in the organization. Every path reads it here:
each task that e-mails a person asks `recipients` (or `may_email`), which adds the
person's own choices (`accounts.notifications`); the secret links (calendar feed,
pulse, check-in) and publish ask `active_in`.
"""

from collections.abc import Iterable

from peergroups.accounts.models import NotificationPreference, User
from peergroups.organizations.models import OrganizationRole


def active_in(
    *, organization_id: int, user_ids: Iterable[int], role: str | None = None
) -> set[int]:
    """Those of `user_ids` with an active account and a role (`role`, if given) here."""
    holding = OrganizationRole.objects.filter(
        organization_id=organization_id, user_id__in=set(user_ids), user__is_active=True
    )
    if role is not None:
        holding = holding.filter(role=role)
    return set(holding.values_list("user_id", flat=True))


def person_active(*, organization_id: int, user_id: int) -> bool:
    return bool(active_in(organization_id=organization_id, user_ids=[user_id]))


def recipients(
    *, organization_id: int, users: Iterable[User], kind: str | None = None
) -> list[User]:
    """The people of `users` who get this organization's e-mail (of `kind`, a
    `NotificationKind`, when the person can turn it off), each once, in order. Two
    queries however many people."""
    users = list({user.pk: user for user in users}.values())
    if not users:
        return []
    ids = [user.pk for user in users]
    active = active_in(organization_id=organization_id, user_ids=ids)
    muted = (
        set(
            NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list(
                "user_id", flat=True
            )
        )
        if kind
        else set()
    )
    return [user for user in users if user.pk in active and user.pk not in muted]


def may_email(*, user: User, organization_id: int, kind: str | None = None) -> bool:
    return bool(recipients(organization_id=organization_id, users=[user], kind=kind))
