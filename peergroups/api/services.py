"""Writes on API tokens: create, revoke, and note when a key is used."""

import logging
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from peergroups.accounts.models import User
from peergroups.api.models import ApiToken
from peergroups.audit.services import audit_record, audit_record_many
from peergroups.errors import Refused
from peergroups.organizations.models import hash_token
from peergroups.textlimits import text_check

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length

logger = logging.getLogger(__name__)

KEY_PREFIX = "pg_"  # Makes a leaked key recognisable to secret scanners and to people.
PREFIX_LENGTH = len(KEY_PREFIX) + 8
# `last_used_at` is a hint for people tidying their keys, not an audit log: one write a
# minute per key is enough, and spares a database write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a key for `user`; returns it with the raw key, which is never stored."""
    name = text_check(name, field="name", limit=NAME_MAX_LENGTH, blank=gettext("Name the token."))
    raw_key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw_key[:PREFIX_LENGTH], key_hash=hash_token(raw_key)
    )
    # A person's key, not an organization's: the row has no organization.
    audit_record(
        organization=None,
        actor=user,
        action="api_token_issue",
        target=token,
        before={},
        after={"prefix": token.prefix, "user": user.pk},
    )
    logger.info("api token %s created by user %s", token.pk, user.pk)
    return token, raw_key


def token_revoke(*, token: ApiToken, acting_user: User) -> None:
    """Revoke a key at once; revoking it again changes nothing.

    People revoke their own keys; staff may revoke anyone's (a leaked key).
    """
    if token.user_id != acting_user.pk and not acting_user.is_staff:
        raise Refused(gettext("You can only revoke your own API tokens."))
    now = timezone.now()
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
        if updated:
            token.revoked_at = now
            audit_record(
                organization=None,
                actor=acting_user,
                action="api_token_revoke",
                target=token,
                before={"revoked": False},
                after={"revoked": True, "user": token.user_id},
            )
    if updated:
        logger.info("api token %s revoked by user %s", token.pk, acting_user.pk)


def tokens_revoke_all(*, user: User, **_signal) -> str | None:
    """Revoke every live key of `user` (their password was set anew, or they hold no role
    anywhere any more: `accounts.signals.credentials_reset`); a sentence for the page."""
    now = timezone.now()
    live = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
    if not live:
        return None
    with transaction.atomic():
        ApiToken.objects.filter(pk__in=[t.pk for t in live]).update(revoked_at=now)
        audit_record_many(
            organization=None,
            actor=None,
            action="api_token_revoke",
            rows=[
                {
                    "target": token,
                    "before": {"revoked": False},
                    "after": {"revoked": True, "user": user.pk, "credentials_reset": True},
                }
                for token in live
            ],
        )
    logger.info("api tokens of user %s revoked: %s", user.pk, len(live))
    count = len(live)
    return ngettext(
        "%(count)s API token was revoked.", "%(count)s API tokens were revoked.", count
    ) % {"count": count}


def token_authenticate(*, raw_key: str) -> ApiToken | None:
    """Return the live token for a raw key, or None when it is unknown, revoked or its
    user is deactivated; records the use at most once per LAST_USED_RESOLUTION."""
    if not raw_key.startswith(KEY_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw_key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Conditional, so parallel requests from one key still write once.
        ApiToken.objects.filter(pk=token.pk).exclude(
            last_used_at__gt=now - LAST_USED_RESOLUTION
        ).update(last_used_at=now)
        token.last_used_at = now
    return token
