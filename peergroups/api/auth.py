"""How the API knows who is calling: a personal token, or the browser's session."""

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from peergroups.accounts.models import User
from peergroups.api.services import token_authenticate


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer pg_…` with a key from the API tokens page."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = token_authenticate(raw_key=token.strip())
        if api_token is None:
            return None
        # Handlers and selectors read request.user, whichever way the caller signed in.
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


# The session lets a signed-in person try the API from /api/docs; Ninja's SessionAuth
# checks the CSRF token on unsafe methods, so a foreign page cannot post with it.
API_AUTH = [ApiTokenAuth(), django_auth]
