"""Identity providers the sign-on tests talk to over real HTTP, each on a free port.

`mock_provider`: oidc-provider-mock (authlib + Flask), a working provider; its page asks
for a subject, whose claims the test sets through its `PUT /users/<sub>`.
`RogueProvider`: a provider that misbehaves on purpose (a token with another nonce,
audience or issuer, signed by a key it does not publish, an unverified e-mail...), the
attacks a relying party must refuse. It is built from joserfc and werkzeug, with nothing
of ours in it.
"""

import contextlib
import logging
import secrets
import threading
import time
import warnings
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


@contextlib.contextmanager
def mock_provider() -> Iterator[str]:
    # Its info lines carry a `client` field that our log records already have (the
    # request's client address, ops.logs): logging them would raise inside the provider.
    logging.getLogger("oidc_provider_mock").setLevel(logging.WARNING)
    with warnings.catch_warnings():  # it imports authlib.jose, deprecated by authlib 1.9
        warnings.simplefilter("ignore", DeprecationWarning)
        from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread(port=0, require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


def provider_user_set(issuer: str, sub: str, claims: dict) -> None:
    response = requests.put(f"{issuer}/users/{sub}", json=claims, timeout=5)
    response.raise_for_status()


def provider_authorize(url: str, sub: str) -> str:
    """Submit the provider's sign-in form as `sub`; returns where it sends the browser."""
    response = requests.post(url, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]


class RogueProvider:
    """A provider that answers each token request with the ID token `claims` (and
    `sign_with`) say: set them before the sign-in, per attack."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "published"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "published"})
        self.claims: dict = {}
        self.sign_with = self.key
        self.issued_nonce = ""
        self.server = make_server("localhost", 0, self.app, threaded=True)
        self.issuer = f"http://localhost:{self.server.server_port}"
        self.metadata_issuer = self.issuer

    @Request.application
    def app(self, request: Request) -> Response:
        if request.path == "/.well-known/openid-configuration":
            return self._json(
                {
                    "issuer": self.metadata_issuer,
                    "authorization_endpoint": self.issuer + "/authorize",
                    "token_endpoint": self.issuer + "/token",
                    "jwks_uri": self.issuer + "/jwks",
                    "id_token_signing_alg_values_supported": ["RS256"],
                }
            )
        if request.path == "/jwks":
            return self._json(KeySet([self.key]).as_dict(private=False))
        if request.path == "/authorize":
            self.issued_nonce = request.args["nonce"]
            self.client_id = request.args["client_id"]
            query = urlencode({"code": secrets.token_urlsafe(8), "state": request.args["state"]})
            return Response(
                status=302, headers={"Location": request.args["redirect_uri"] + "?" + query}
            )
        if request.path == "/token":
            now = int(time.time())
            claims = {
                "iss": self.issuer,
                "sub": "rogue-1",
                "aud": self.client_id,
                "iat": now,
                "exp": now + 300,
                "nonce": self.issued_nonce,
                "email": "mia@acme.test",
                "email_verified": True,
                **self.claims,
            }
            claims = {key: value for key, value in claims.items() if value is not None}
            token = jwt.encode({"alg": "RS256", "kid": "published"}, claims, self.sign_with)
            return self._json({"access_token": "x", "token_type": "Bearer", "id_token": token})
        return Response(status=404)

    @staticmethod
    def _json(document: dict) -> Response:
        import json

        return Response(json.dumps(document), content_type="application/json")

    def __enter__(self) -> "RogueProvider":
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.1,), daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def callback_path(location: str) -> str:
    """The path and query of a redirect to our callback, for the test client."""
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


def query_of(location: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
