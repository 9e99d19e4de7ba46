"""How the API knows who is calling: a personal token, or the browser's session.

Without either, every route answers 401 (never a 403 about CSRF): the session's CSRF
check applies only to a request that carries a signed-in session.
"""

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from peergroups.accounts.models import User
from peergroups.accounts.throttle import (
    API_ACCOUNT,
    API_BAD_TOKEN_ADDRESS,
    client_address,
    throttle_take,
)
from peergroups.api.services import token_authenticate


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer pg_…` with a key from the API tokens page.

    Invalid keys count against the caller's address, valid ones against the account;
    past either limit the API answers 429 with Retry-After.
    """

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = token_authenticate(raw_key=token.strip())
        if api_token is None:
            # Only guesses count against the address: a good key costs no extra query.
            throttle_take(API_BAD_TOKEN_ADDRESS, client_address(request))
            return None
        account = f"user:{api_token.user_id}"
        throttle_take(API_ACCOUNT, account)
        # Handlers and selectors read request.user, whichever way the caller signed in.
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The browser's session, for trying the API from /api/docs.

    Ninja's own SessionAuth checks CSRF before it knows whether anyone is signed in, so
    an anonymous POST got 403 "CSRF check Failed"; here the check applies to a signed-in
    session only (where it matters: a foreign page posting with the victim's cookie).
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return request.user if request.user.is_authenticated else None


API_AUTH = [ApiTokenAuth(), SessionAuth()]
