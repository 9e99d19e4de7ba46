"""The OpenID Connect relying party: one sign-in against one organization's provider.

authlib does the protocol (the authorization URL with PKCE, the code exchange, the ID
token's claims rules) and joserfc the signature; this module adds what a multi-tenant
site needs around them: each organization's own issuer, discovery checked against it,
no call to addresses inside our network, a time-out on every call, and every failure
turned into a sentence (`Unavailable` when the provider does not answer, `Refused` when
it answers something we must not trust).

Authorization code flow with PKCE (S256); `state` and `nonce` are kept in the session
(rows in the database: any app process may take the callback) and spent on the first
callback, so a replayed callback finds nothing to finish.
"""

import ipaddress
import logging
import secrets
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
import urllib3
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from django.conf import settings
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from peergroups.errors import Invalid, Refused, Unavailable

logger = logging.getLogger("peergroups.sso")

SCOPE = "openid email profile"
# Clocks of two machines differ a little; a minute either way is usual for OIDC.
LEEWAY_SECONDS = 60


@dataclass(frozen=True)
class Provider:
    """What the relying party needs of one organization's settings."""

    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str


@dataclass(frozen=True)
class Identity:
    """What a checked ID token says about the person."""

    subject: str
    email: str
    email_verified: bool
    name: str


def issuer_check(issuer: str, *, field: str = "issuer") -> str:
    """The issuer URL, normalised, or `Invalid`: https with a host (http and local hosts
    only where SSO_ALLOW_LOCAL_ISSUERS allows), no credentials, query nor fragment."""
    issuer = (issuer or "").strip().rstrip("/")
    parts = urlsplit(issuer)
    local = settings.SSO_ALLOW_LOCAL_ISSUERS
    if parts.scheme not in (("https", "http") if local else ("https",)) or not parts.hostname:
        raise Invalid(
            _("Enter the issuer's https address, e.g. https://login.example.com/tenant."),
            field=field,
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise Invalid(_("The issuer address has no user, query or fragment."), field=field)
    if not local and _is_local_name(parts.hostname):
        raise Invalid(_("The issuer must be a public address."), field=field)
    return issuer


def _is_local_name(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


def _address_check(url: str) -> None:
    """Refuse to call a provider address that resolves inside our network (an admin's
    issuer must not make the server read its own or its neighbours' services)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Refused(_("The identity provider gave an address we cannot use."))
    if settings.SSO_ALLOW_LOCAL_ISSUERS:
        return  # development and tests: a provider on this machine, over http
    if parts.scheme != "https" or _is_local_name(parts.hostname):
        raise Refused(_("The identity provider gave an address inside our network."))
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError:
        raise Unavailable(_down(parts.hostname)) from None
    for info in infos:
        if not _is_global(info[4][0]):
            raise Refused(_("The identity provider's address is inside our network."))
    # A name may answer a public address to this look-up and a private one to the
    # connection's own (DNS rebinding): `_PublicConnection` checks the socket too.


def _is_global(address) -> bool:
    return ipaddress.ip_address(str(address).partition("%")[0]).is_global  # IPv6 zone


class _InsideOurNetwork(Exception):
    """Not an OSError, so that urllib3 does not retry it as a network failure."""


class _PublicConnection(urllib3.connection.HTTPSConnection):
    """An https connection that goes only to a global address: the address checked is
    the one this connection's socket reached, before the TLS handshake sends a byte."""

    def _new_conn(self):
        sock = super()._new_conn()
        if not _is_global(sock.getpeername()[0]):
            sock.close()
            raise _InsideOurNetwork(self.host)
        return sock


class _PublicPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _PublicConnection


class _PublicAdapter(requests.adapters.HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            **self.poolmanager.pool_classes_by_scheme,
            "https": _PublicPool,
        }


def _public(session: requests.Session) -> requests.Session:
    """`session`, its https calls going only to global addresses (unless
    SSO_ALLOW_LOCAL_ISSUERS lets a provider on this machine answer, over http)."""
    if not settings.SSO_ALLOW_LOCAL_ISSUERS:
        session.mount("https://", _PublicAdapter())
    return session


def _down(where: str) -> str:
    return _(
        "Your company's sign-in service (%(where)s) is not answering. Try again in a "
        "moment, or sign in with your password."
    ) % {"where": where}


def _get_json(url: str) -> dict:
    _address_check(url)
    try:
        with _public(requests.Session()) as http:
            response = http.get(
                url, timeout=settings.SSO_HTTP_TIMEOUT, allow_redirects=False, stream=False
            )
        response.raise_for_status()
        document = response.json()
    except _InsideOurNetwork:
        raise Refused(_("The identity provider's address is inside our network.")) from None
    except (requests.RequestException, ValueError) as exc:
        logger.warning("identity provider %s did not answer: %s", url, exc)
        raise Unavailable(_down(urlsplit(url).hostname or url)) from None
    if not isinstance(document, dict):
        raise Unavailable(_down(urlsplit(url).hostname or url))
    return document


def provider_metadata(issuer: str) -> dict:
    """The provider's discovery document, which must name `issuer` as itself (OpenID
    Connect Discovery 4.3): an issuer that answers with another provider's metadata
    (another organization's, say) is refused."""
    metadata = _get_json(issuer + "/.well-known/openid-configuration")
    if str(metadata.get("issuer", "")).rstrip("/") != issuer:
        raise Refused(
            _(
                "The identity provider at this address says it is another issuer; check the "
                "issuer in the sign-on settings."
            )
        )
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(metadata.get(key), str):
            raise Unavailable(_down(urlsplit(issuer).hostname or issuer))
        _address_check(metadata[key])
    return metadata


def _session(provider: Provider) -> OAuth2Session:
    return _public(
        OAuth2Session(
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            scope=SCOPE,
            redirect_uri=provider.redirect_uri,
            code_challenge_method="S256",
        )
    )


def authorization_start(provider: Provider) -> tuple[str, dict]:
    """The provider's sign-in address, and what the callback must find in the session."""
    metadata = provider_metadata(provider.issuer)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(48)
    url, _state = _session(provider).create_authorization_url(
        metadata["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
    )
    pending = {"state": state, "nonce": nonce, "verifier": verifier, "at": time.time()}
    return url, pending


def authorization_finish(provider: Provider, *, pending: dict, params: dict) -> Identity:
    """Check the callback against `pending`, exchange the code and check the ID token:
    its signature against the provider's keys, `iss`, `aud`, `exp`, `iat` and `nonce`."""
    if not pending or not secrets.compare_digest(
        str(params.get("state", "")), str(pending.get("state", ""))
    ):
        raise Refused(
            _(
                "This sign-in did not start here or was already finished. Start again from "
                "the sign-in page."
            )
        )
    if time.time() - float(pending.get("at", 0)) > settings.SSO_PENDING_SECONDS:
        raise Refused(_("This sign-in took too long. Start again from the sign-in page."))
    if params.get("error"):
        raise Refused(_("Your company's sign-in service did not sign you in. Nothing was changed."))
    code = params.get("code")
    if not code:
        raise Refused(_("Your company's sign-in service sent no answer we can use."))
    metadata = provider_metadata(provider.issuer)
    try:
        token = _session(provider).fetch_token(
            metadata["token_endpoint"],
            code=code,
            code_verifier=pending["verifier"],
            timeout=settings.SSO_HTTP_TIMEOUT,
            allow_redirects=False,
        )
    except _InsideOurNetwork:
        raise Refused(_("The identity provider's address is inside our network.")) from None
    except (requests.RequestException, ValueError) as exc:  # down, or not JSON
        logger.warning("token request to %s failed: %s", provider.issuer, exc)
        raise Unavailable(_down(urlsplit(provider.issuer).hostname or "")) from None
    except AuthlibBaseError as exc:  # the provider's answer is an error: it refused the code
        logger.warning("token request to %s refused: %s", provider.issuer, exc)
        raise Refused(
            _(
                "Your company's sign-in service refused this sign-in (a link used twice?). "
                "Start again from the sign-in page."
            )
        ) from None
    if "id_token" not in token:
        raise Refused(_("Your company's sign-in service sent no identity."))
    claims = _id_token_claims(provider, metadata, token, nonce=pending["nonce"])
    email = str(claims.get("email") or "").strip().lower()
    return Identity(
        subject=str(claims["sub"]),
        email=email,
        # Microsoft Entra ID sends no `email_verified`; its optional claim `xms_edov`
        # says the address's domain is verified by its owner, which is what we need.
        email_verified=claims.get("email_verified") is True or claims.get("xms_edov") is True,
        name=str(claims.get("name") or "").strip(),
    )


def _untrusted() -> Refused:
    return Refused(
        _(
            "Your company's sign-in service sent an identity we cannot trust. Nothing was "
            "changed; ask your program admin to check the sign-on settings."
        )
    )


def _id_token_claims(provider: Provider, metadata: dict, token: dict, *, nonce: str) -> dict:
    keys = KeySet.import_key_set(_get_json(metadata["jwks_uri"]))
    algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    # "none" and the symmetric algorithms are not for ID tokens we check against keys.
    algorithms = [alg for alg in algorithms if alg not in ("none", "HS256", "HS384", "HS512")]
    try:
        decoded = jwt.decode(
            token["id_token"],
            keys,
            algorithms=algorithms,
            registry=JWSRegistry(algorithms=algorithms, strict_check_header=False),
        )
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {
                "iss": {"essential": True, "value": provider.issuer},
                "aud": {"essential": True, "value": provider.client_id},
                "exp": {"essential": True},
            },
            {"nonce": nonce, "client_id": provider.client_id},
        )
        claims.validate(leeway=LEEWAY_SECONDS)
    except (JoseError, ValueError) as exc:
        logger.warning("ID token from %s refused: %s", provider.issuer, exc)
        raise _untrusted() from None
    if not claims.get("nonce"):  # authlib checks a nonce only when the token has one
        raise _untrusted()
    return dict(claims)
