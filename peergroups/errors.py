"""Domain errors: what a service raises when a rule says no.

Services check their own rules and raise one of these with a sentence a person can
read. Pages (`peergroups.http.ErrorPageMiddleware`) and the API
(`peergroups.http.install_api_errors`) map each class to the same status and show the
same sentence, so a refusal reads the same wherever it happens.

`NotFound` is also an `Http404` and `Refused` a `PermissionDenied`, so Django's own
machinery (login redirects, test clients, admin) treats them as it always has.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext, gettext_lazy


class DomainError(Exception):
    """A rule said no. `status` is the HTTP status pages and the API answer with."""

    status = 400
    default_reason = gettext_lazy("This request cannot be done.")
    # Where a page sends the person instead of showing the error (one step away from
    # access, e.g. a confidentiality agreement to accept); the API answers `status`.
    redirect_to = ""

    def __init__(self, reason: str = "", *, errors: list[dict] | None = None):
        # The sentence in the language active where the error is raised (the request's):
        # a lazy default or a lazy module-level sentence becomes text here.
        self.reason = str(reason or self.default_reason)
        self.errors = errors or []
        super().__init__(self.reason)

    def __str__(self) -> str:
        return self.reason


class NotFound(DomainError, Http404):
    """The object does not exist for this viewer (we do not say whether it exists at all)."""

    status = 404
    default_reason = gettext_lazy("Not found.")


class Refused(DomainError, PermissionDenied):
    """The viewer may not do this: a role, an ownership or a confidentiality rule."""

    status = 403
    default_reason = gettext_lazy("You do not have permission to do this.")


class Conflict(DomainError):
    """The object is not in a state that allows this (closed, processed, full, taken)."""

    status = 409
    default_reason = gettext_lazy("This cannot be done in the object's current state.")


class Stale(Conflict):
    """An edit made from a version of the object that changed since it was opened (another
    tab, another admin): refused, never applied silently. `version` is the current one, so
    a page can offer the edit again over the current values."""

    default_reason = gettext_lazy("This was changed since you opened it. Nothing was saved.")

    def __init__(self, reason: str = "", *, version: int):
        super().__init__(reason)
        self.version = version


def version_require(*, expected: int | None, current: int, now: str) -> None:
    """Refuse (`Stale`) an edit made from version `expected` of an object now at `current`;
    `now` says the current values in words. None: the caller edits without a version."""
    if expected is not None and expected != current:
        raise Stale(
            gettext(
                "This was changed since you opened it: %(now)s Nothing was saved; submit "
                "again to replace the current values."
            )
            % {"now": now},
            version=current,
        )


class Gone(DomainError):
    """A one-time link or object that was valid once and is not any more."""

    status = 410
    default_reason = gettext_lazy("This link has been used or has expired.")


class Invalid(DomainError):
    """Input broke a bound or a format rule. `field` names the input when there is one."""

    status = 422
    default_reason = gettext_lazy("The input is not valid.")

    def __init__(self, reason: str = "", *, field: str = "", errors: list[dict] | None = None):
        self.field = field
        if field and not errors:
            errors = [{"field": field, "message": str(reason or self.default_reason)}]
        super().__init__(reason, errors=errors)


def invalid_from(error: ValidationError) -> Invalid:
    """A model's `full_clean` refusal as `Invalid`, with one entry per field."""
    if hasattr(error, "error_dict"):
        errors = [
            {"field": "" if field == "__all__" else field, "message": message}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
        reason = " ".join(
            f"{entry['field']}: {entry['message']}" if entry["field"] else entry["message"]
            for entry in errors
        )
        return Invalid(reason, errors=errors)
    return Invalid(" ".join(error.messages))


class Throttled(DomainError):
    """Too many attempts in a short time; `retry_after` says when to try again (seconds)."""

    status = 429
    default_reason = gettext_lazy("Too many attempts. Please wait a little and try again.")

    def __init__(self, reason: str = "", *, retry_after: int = 60):
        self.retry_after = max(1, int(retry_after))
        super().__init__(reason)


class Unavailable(DomainError):
    """Something we depend on outside (an identity provider) did not answer, or answered
    nonsense: nothing was changed, and trying again later may work."""

    status = 503
    default_reason = gettext_lazy(
        "A service this needs is not answering. Please try again in a moment."
    )


STATUS_TITLES = {
    400: gettext_lazy("Bad request"),
    401: gettext_lazy("Sign-in required"),
    403: gettext_lazy("Not allowed"),
    404: gettext_lazy("Not found"),
    409: gettext_lazy("Not possible right now"),
    410: gettext_lazy("No longer available"),
    413: gettext_lazy("Too large"),
    422: gettext_lazy("Not valid"),
    429: gettext_lazy("Too many attempts"),
    503: gettext_lazy("Not available right now"),
}
