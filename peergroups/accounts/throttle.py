"""Throttling of guessable doors: sign-in, password reset, invitation links, API tokens.

Counts live in the database (`ThrottleCounter`), in fixed windows, so they hold across
processes. A door calls `throttle_check` before it does the work and `throttle_hit` for
each attempt that counts (a failure, or any request, as the rule says); past the limit
`throttle_check` raises `Throttled`, which pages and the API answer with 429 and a
Retry-After header.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy

from peergroups.accounts.models import ThrottleCounter
from peergroups.errors import Throttled
from peergroups.http import client_address  # noqa: F401 - its home was here; callers import it


@dataclass(frozen=True)
class Rule:
    scope: str
    limit: int  # attempts allowed per window
    window: timedelta
    reason: str


SIGN_IN_ACCOUNT = Rule(
    "sign-in:account",
    10,
    timedelta(minutes=15),
    gettext_lazy(
        "Too many failed sign-ins for this account. Wait a few minutes, or reset the password."
    ),
)
SIGN_IN_ADDRESS = Rule(
    "sign-in:address",
    50,
    timedelta(minutes=15),
    gettext_lazy("Too many failed sign-ins from your network. Wait a few minutes and try again."),
)
PASSWORD_RESET_ACCOUNT = Rule(
    "reset:account",
    5,
    timedelta(hours=1),
    gettext_lazy("A reset link was sent several times already. Check your inbox, or wait an hour."),
)
PASSWORD_RESET_ADDRESS = Rule(
    "reset:address",
    20,
    timedelta(hours=1),
    gettext_lazy("Too many password resets from your network. Wait a while and try again."),
)
INVITATION_ADDRESS = Rule(
    "invitation:address",
    30,
    timedelta(minutes=15),
    gettext_lazy(
        "Too many invitation attempts from your network. Wait a few minutes and try again."
    ),
)
INVITATION_ACCOUNT = Rule(
    "invitation:account",
    10,
    timedelta(minutes=15),
    gettext_lazy("Too many attempts with this invitation. Wait a few minutes and try again."),
)
API_BAD_TOKEN_ADDRESS = Rule(
    "api-token:address",
    30,
    timedelta(minutes=15),
    gettext_lazy("Too many requests with an invalid API token. Wait a few minutes and try again."),
)
API_ACCOUNT = Rule(
    "api:account",
    1200,
    timedelta(minutes=1),
    gettext_lazy("Too many API requests with this account. Slow down and try again shortly."),
)

# An identity provider's first sync sends one request per person (Entra: a filter, then
# a POST), so a 10,000-person organization's first sync takes minutes at this pace.
SCIM_TOKEN = Rule(
    "scim:token",
    1200,
    timedelta(minutes=1),
    "Too many SCIM requests with this token. Slow down and try again shortly.",
)

# How long a counter row is kept after its window ended (for nobody's benefit: tidy).
KEEP = timedelta(days=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.strip().lower().encode()).hexdigest()


def _window_start(rule: Rule, now: datetime) -> datetime:
    seconds = int(rule.window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def throttle_check(*checks: tuple[Rule, str]) -> None:
    """Raise Throttled if any (rule, key) has used up its window."""
    now = timezone.now()
    for rule, key in checks:
        if not key:
            continue
        start = _window_start(rule, now)
        count = (
            ThrottleCounter.objects.filter(scope=rule.scope, key=_digest(key), window_start=start)
            .values_list("count", flat=True)
            .first()
        )
        if count is not None and count >= rule.limit:
            retry_after = int((start + rule.window - now).total_seconds()) + 1
            raise Throttled(rule.reason, retry_after=retry_after)


def throttle_hit(*hits: tuple[Rule, str]) -> None:
    """Count one attempt for each (rule, key)."""
    now = timezone.now()
    for rule, key in hits:
        if not key:
            continue
        start = _window_start(rule, now)
        digest = _digest(key)
        updated = ThrottleCounter.objects.filter(
            scope=rule.scope, key=digest, window_start=start
        ).update(count=F("count") + 1)
        if updated:
            continue
        try:
            with transaction.atomic():
                ThrottleCounter.objects.create(
                    scope=rule.scope, key=digest, window_start=start, count=1
                )
        except IntegrityError:  # another process created it a moment ago
            ThrottleCounter.objects.filter(scope=rule.scope, key=digest, window_start=start).update(
                count=F("count") + 1
            )
        else:  # a new window: the old ones of this scope are of no use any more
            ThrottleCounter.objects.filter(scope=rule.scope, window_start__lt=now - KEEP).delete()


def throttle_take(rule: Rule, key: str) -> None:
    """Count one attempt and raise Throttled if the window is used up: one query when
    under the limit, for doors that count every request (API use per account)."""
    now = timezone.now()
    start = _window_start(rule, now)
    digest = _digest(key)
    taken = ThrottleCounter.objects.filter(
        scope=rule.scope, key=digest, window_start=start, count__lt=rule.limit
    ).update(count=F("count") + 1)
    if taken:
        return
    throttle_check((rule, key))  # full: raises; otherwise the window's row is new
    throttle_hit((rule, key))


def throttle_clear(rule: Rule, key: str) -> None:
    """Forget a key's attempts (a successful sign-in clears that account's failures)."""
    ThrottleCounter.objects.filter(scope=rule.scope, key=_digest(key)).delete()
