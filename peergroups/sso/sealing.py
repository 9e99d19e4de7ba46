"""Secrets we must send on later (an identity provider's client secret), sealed at rest.

A link token can be stored as a hash (`peergroups.links`); a client secret cannot, since
we present it to the provider on every sign-in. It is encrypted (Fernet: AES-128-CBC and
an HMAC) under a key derived from SECRET_KEY, so a copy of the database alone opens
nothing. SECRET_KEY_FALLBACKS still open what an older key sealed, so a key rotation
does not break single sign-on; saving the settings again seals under the new key.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_PURPOSE = b"peergroups.sso.client-secret"


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    return MultiFernet(
        [_fernet(settings.SECRET_KEY)]
        + [_fernet(key) for key in getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    )


def secret_seal(value: str) -> str:
    return _keys().encrypt(value.encode()).decode()


def secret_open(sealed: str) -> str | None:
    """The secret, or None when no key we hold opens it (SECRET_KEY changed)."""
    try:
        return _keys().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None
