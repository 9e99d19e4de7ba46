"""One-click links: the e-mailed token is the credential, good once and for a few days.

Only the token's SHA-256 is stored, so a database leak does not leak live links. An
app's link model extends `OneClickLink` with what the link acts on; `link_issue`
makes one, `link_resolve` finds a usable one (GET shows the form), and `link_use`
spends it under a row lock inside the transaction that records the answer (POST),
so two clicks racing cannot both count. An unusable link raises `Gone` (410) with a
sentence that says why and what to do instead.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from peergroups.errors import Gone


def hash_token(token: str) -> str:
    """Tokens are stored as SHA-256 digests so a database leak does not leak live links."""
    return hashlib.sha256(token.encode()).hexdigest()


class OneClickLink(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_used(self) -> bool:
        return self.used_at is not None

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class LinkWords:
    """The sentences a kind of link says when it does not work. Whole sentences, not a noun
    put into one sentence, so that each reads naturally in every language."""

    def __init__(self, *, invalid: str, used: str, expired: str, ended: str):
        self._invalid, self._used, self._expired, self._ended = invalid, used, expired, ended

    def invalid(self) -> Gone:
        return Gone(str(self._invalid))

    def used(self) -> Gone:
        return Gone(str(self._used))

    def expired(self) -> Gone:
        return Gone(str(self._expired))

    def ended(self) -> Gone:
        """For the link of a person who is no longer part of the organization."""
        return Gone(str(self._ended))


def link_issue(model: type[OneClickLink], *, days: int, **fields) -> str:
    """Store a new link's hash; returns the raw token, which exists only in the e-mail."""
    token = secrets.token_urlsafe(32)
    model.objects.create(
        token_hash=hash_token(token), expires_at=timezone.now() + timedelta(days=days), **fields
    )
    return token


def link_resolve(links: QuerySet, token: str, words: LinkWords) -> OneClickLink:
    """The usable link for `token` among `links`, else Gone with the reason."""
    link = links.filter(token_hash=hash_token(token)).first()
    if link is None:
        raise words.invalid()
    if link.is_used:
        raise words.used()
    if link.is_expired:
        raise words.expired()
    return link


def link_use(links: QuerySet, token: str, words: LinkWords) -> OneClickLink:
    """Spend the link; call inside the transaction that records what it was for."""
    link = link_resolve(links, token, words)
    # Lock and re-check: two clicks racing must not both go through.
    locked = links.model.objects.select_for_update().get(pk=link.pk)
    if locked.used_at is not None:
        raise words.used()
    locked.used_at = timezone.now()
    locked.save(update_fields=["used_at"])
    return link
