"""Helpers for calling the API as a given person."""

from peergroups.api.services import token_create


def bearer(user, name: str = "test") -> dict:
    """Client kwargs that authenticate as `user` with a fresh token."""
    _token, raw_key = token_create(user=user, name=name)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw_key}"}
