"""One error mapping for pages and one for the API.

Pages: `ErrorPageMiddleware` turns a domain error (and Django's own 403/404) into the
site's error page, with the navigation and the sentence the rule gave; the
`handler*` views below do the same for errors raised outside a view. The API:
`install_api_errors` gives a Ninja API the same mapping as JSON,
`{"detail": str, "errors": [...]}`; `error_responses` lists those statuses for a
route's OpenAPI schema.

A refusal writes one log line, not a traceback: refusals are the rules working.
"""

import json
import logging
import re

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import gettext, gettext_lazy
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination

from peergroups.errors import STATUS_TITLES, DomainError, Invalid, Stale, Throttled
from peergroups.textlimits import text_too_long

logger = logging.getLogger("peergroups.refusals")


class FieldError(Schema):
    field: str
    message: str
    line: int | None = Field(None, description="The file's line, for an import's row errors.")


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] | None = None


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """`{status: ErrorOut}` for a route's `response=`.

    400 (a body or query that cannot be parsed), 401 and 422 can answer any route.
    """
    return dict.fromkeys(sorted({400, 401, 422, *statuses}), ErrorOut)


def _status_and_reason(exc: Exception) -> tuple[int, str, list[dict]]:
    if isinstance(exc, DomainError):
        return exc.status, exc.reason, exc.errors
    if isinstance(exc, Http404):
        return 404, str(exc) or gettext("Not found."), []
    if isinstance(exc, PermissionDenied):
        return 403, str(exc) or gettext("You do not have permission to do this."), []
    if isinstance(exc, ValidationError):
        return 422, " ".join(exc.messages), []
    raise TypeError(exc)


def _log_refusal(request: HttpRequest, status: int, reason: str) -> None:
    user = getattr(request, "user", None) or getattr(request, "auth", None)
    who = getattr(user, "pk", None) or "anonymous"
    logger.warning("%s %s %s (user %s): %s", status, request.method, request.path, who, reason)


def client_address(request: HttpRequest) -> str:
    """The caller's address: the proxy's X-Forwarded-For entry when behind one (opt-in)."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            # The last entry is the one our own proxy added; earlier ones the client wrote.
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


# API lists -------------------------------------------------------------------------------

LIST_MAX_LIMIT = 200
# A bound a database integer holds (SQLite's OFFSET overflowed past 2**63: a 500).
LIST_MAX_OFFSET = 1_000_000_000
# The largest id a query filter takes: a database integer holds up to 2**63 - 1, and a
# larger one made SQLite raise OverflowError (a 500) instead of finding nothing.
ID_MAX = 2**63 - 1


class Pagination(LimitOffsetPagination):
    """Every API list: `?limit=` (1 to 200, default 50) and `?offset=`; the answer is
    `{"count": <all matching>, "items": [...]}`. Use with `@paginate(Pagination)`."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=LIST_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=LIST_MAX_OFFSET)


# Pages ---------------------------------------------------------------------------------


def int_or_none(value: str | None) -> int | None:
    """A query or form parameter read as an id: None when absent or not a number."""
    try:
        return int(value) if value else None
    except ValueError:
        return None


# A page that shows a submitted form again with its errors answers 422 Unprocessable
# Content, whatever the cause (a field's bad value, or a service's refusal written on the
# form): the status the API answers bad input with (`errors.Invalid`), and the one
# static/js/htmx-errors.js lets htmx swap, so an htmx form shows its errors in place.
# A refusal not shown on a form keeps its own status (ErrorPageMiddleware).
FORM_INVALID = Invalid.status


def form_status(request: HttpRequest) -> int:
    """The status of a page showing a form: 200 when it is first shown; FORM_INVALID
    when a POST comes back to it (a valid POST redirects, so it has errors)."""
    return FORM_INVALID if request.method == "POST" else 200


def form_add_invalid(form, error: DomainError, *, field_map: dict | None = None) -> None:
    """Show a service's refusal on the form it came from, so nothing typed is lost.

    The error lands on its field when the form has one (`field_map` renames a service's
    field to the form's), else at the top of the form.
    """
    field = getattr(error, "field", "") or next(
        (entry.get("field", "") for entry in error.errors if entry.get("field")), ""
    )
    field = (field_map or {}).get(field, field)
    form.add_error(field if field in form.fields else None, error.reason)
    if isinstance(error, Stale) and "version" in form.fields and form.is_bound:
        # What was typed stays; sending it again is a choice made over the current values.
        form.data = form.data.copy()
        form.data[form.add_prefix("version")] = str(error.version)


def error_page(request: HttpRequest, status: int, reason: str) -> HttpResponse:
    """The site's error page (or, for htmx, a fragment the page can show inline)."""
    context = {"status": status, "title": STATUS_TITLES.get(status, "Error"), "reason": reason}
    if getattr(request, "htmx", False):
        html = render_to_string("errors/_inline.html", context, request=request)
    else:
        # The layout shows the organization's navigation when the URL names one we may see.
        context.update(_organization_context(request))
        html = render_to_string("errors/error.html", context, request=request)
    response = HttpResponse(html, status=status)
    response._has_been_logged = True  # we wrote our own line; no second one from Django
    return response


def _organization_context(request: HttpRequest) -> dict:
    # `org_view` leaves the viewer's access on the request before the view runs.
    access = getattr(request, "org_access", None)
    if access is None:
        return {}
    return {"organization": access.organization, "access": access}


class ErrorPageMiddleware:
    """Render refusals raised by views as the site's error page with the rule's sentence."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            # A route that exists for other methods: Ninja answers Django's empty 405.
            allowed = response.get("Allow", "")
            reason = f"{request.method} is not allowed here; this endpoint takes {allowed}."
            _log_refusal(request, 405, reason)
            response = JsonResponse({"detail": reason}, status=405)
            response["Allow"] = allowed
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, DomainError | Http404 | PermissionDenied):
            return None
        status, reason, _ = _status_and_reason(exc)
        if getattr(exc, "redirect_to", ""):
            # Not an error page: the person belongs here and is one step away from access.
            messages.info(request, reason)
            if getattr(request, "htmx", False):
                response = HttpResponse(status=200)
                response["HX-Redirect"] = exc.redirect_to
                return response
            return HttpResponseRedirect(exc.redirect_to)
        _log_refusal(request, status, reason)
        response = error_page(request, status, reason)
        if isinstance(exc, Throttled):
            response["Retry-After"] = str(exc.retry_after)
        return response


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):  # raised while Django read the body
        return too_large(request)
    reason = gettext("The request could not be understood.")
    # error_page marks the response logged (no line from Django): so we write it.
    _log_refusal(request, 400, f"{reason} ({type(exception).__name__}: {exception})")
    return error_page(request, 400, reason)


SERVER_ERROR = gettext_lazy(
    "Something went wrong on our side and it was logged. If it happens again, "
    "tell your administrator this reference: %(reference)s."
)


def handler500(request: HttpRequest) -> HttpResponse:
    """A page that needs nothing that may have failed (no database, no template that
    reads one), with the request id the log line carries (`ops.logs`)."""
    reference = getattr(request, "request_id", "-")
    reason = SERVER_ERROR % {"reference": reference}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": reason, "request_id": reference}, status=500)
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Server error · Peergroups</title></head><body><main>"
        f"<h1>Server error</h1><p>{escape(reason)}</p></main></body></html>"
    )
    return HttpResponse(html, status=500)


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception and str(exception) else ""
    return error_page(request, 403, reason or gettext("You do not have permission to do this."))


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # The resolver's own message names URL patterns; ours are written for people.
    reason = str(exception) if isinstance(exception, DomainError) else ""
    return error_page(request, 404, reason or gettext("There is no such page."))


# API -----------------------------------------------------------------------------------


def _field_name(loc) -> str:
    """`("body", "payload", "title")` -> `"title"`; `("query", "limit")` -> `"limit"`."""
    where, *parts = loc or ("body",)
    if where == "body" and len(parts) > 1:
        parts = parts[1:]  # the handler's parameter name means nothing to the caller
    return ".".join(str(part) for part in parts) or str(where)


def _schema_message(error: dict) -> str:
    """A schema error in words; a too-long string says what every service says."""
    limit = (error.get("ctx") or {}).get("max_length")
    if error.get("type") == "string_too_long" and limit is not None:
        return text_too_long(int(limit))
    return str(error.get("msg", "invalid"))


def install_api_errors(api: NinjaAPI) -> None:
    """Map every error a route can raise to JSON with a `detail` that says why."""

    def respond(request, status: int, detail: str, errors: list[dict] | None = None):
        body = {"detail": detail}
        if errors:
            body["errors"] = errors
        return api.create_response(request, body, status=status)

    @api.exception_handler(DomainError)
    @api.exception_handler(Http404)
    @api.exception_handler(PermissionDenied)
    @api.exception_handler(ValidationError)
    def domain_error(request, exc):
        status, reason, errors = _status_and_reason(exc)
        _log_refusal(request, status, reason)
        response = respond(request, status, reason, errors)
        if isinstance(exc, Throttled):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(AuthenticationError)
    def unauthorized(request, exc):
        response = respond(
            request,
            401,
            gettext("Authentication required: send a valid API token as 'Authorization: Bearer'."),
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(NinjaValidationError)
    def invalid(request, exc: NinjaValidationError):
        errors = [
            {
                "field": _field_name(error.get("loc", ())),
                "message": _schema_message(error),
            }
            for error in exc.errors
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return respond(
            request,
            422,
            gettext("The request is not valid: %(summary)s") % {"summary": summary},
            errors,
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return respond(request, exc.status_code, str(exc.message))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return respond(request, 413, gettext("The request body is too large."))


# Request size ----------------------------------------------------------------------------

TOO_LARGE = gettext_lazy("The request is too large: files up to %(mb)s MB are accepted.")


def too_large(request: HttpRequest) -> HttpResponse:
    """413, as JSON for the API and as the error page elsewhere."""
    reason = TOO_LARGE % {"mb": round(settings.UPLOAD_MAX_BYTES / (1024 * 1024), 1)}
    _log_refusal(request, 413, reason)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": reason}, status=413)
    return error_page(request, 413, reason)


class RequestSizeLimitMiddleware:
    """Refuse a body over MAX_REQUEST_BYTES from its Content-Length, before reading it.

    Under WSGI Django never reads past the Content-Length, so this one check bounds
    every upload; a form's own limit (the 5 MB import) then speaks for the file.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return too_large(request)
        return self.get_response(request)


# Headers ----------------------------------------------------------------------------------


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every page, and no caching of dynamic responses.

    The pages hold confidential content and one-time secrets (a new API key, a calendar
    feed's address), so nothing they send may sit in a shared or a browser cache unless
    a view says otherwise. Static files never pass through here (WhiteNoise answers
    them earlier, with their own long cache headers).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        if "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response


# CSV downloads ------------------------------------------------------------------------------


def csv_response(content: str, filename: str) -> HttpResponse:
    """A CSV download; `content` comes from `formats.csv_text`, the one formula-safe writer."""
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename={filename}"
    return response


# Hostile input ------------------------------------------------------------------------------

# NUL (PostgreSQL refuses it in text), the other C0 controls but tab and line breaks, DEL,
# the C1 controls, and lone surrogates (which no database encoding can store).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_REASON = gettext_lazy("contains a control character (such as NUL) that cannot be used.")
BLANK_QUERY = gettext_lazy("Type a word to search.")  # pages' search forms say the same
SEARCH_PARAMETERS = frozenset({"q"})
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def input_problems(request: HttpRequest) -> list[dict]:
    """What makes a request's input unusable, as `{"field", "message"}` entries.

    Query parameters of every page and route, and the API's JSON and form bodies (page
    forms check their own fields, so a page re-renders what was typed with the message).
    A search of only spaces is refused by the API; a page's search form refuses it on
    its own field (the same BLANK_QUERY), showing the form, not the whole library.
    """
    problems = []
    api = request.path.startswith("/api/")
    for name, values in request.GET.lists():
        for value in values:
            if CONTROL.search(name) or CONTROL.search(value):
                problems.append({"field": _printable(name), "message": CONTROL_REASON})
            elif api and name in SEARCH_PARAMETERS and value and not value.strip():
                problems.append({"field": name, "message": BLANK_QUERY})
    if api and request.method in ("POST", "PUT", "PATCH"):
        if request.content_type == "multipart/form-data" and request.method == "POST":
            try:
                return problems + _form_problems(request.POST, request.FILES)
            except RequestDataTooBig:
                return problems
            except MultiPartParserError:
                pass  # not multipart after all (no boundary): read as Ninja would, below
        try:
            body = request.body
        except (RawPostDataException, RequestDataTooBig):
            return problems  # the API's own mapping answers a body too large to read
        # Ninja reads a body as JSON whatever its Content-Type says, so this does too.
        text = body.decode("utf-8", "replace")
        if CONTROL.search(text) or "\\u" in text:
            problems.extend(_raw_body_problems(body))
        if request.content_type == "application/x-www-form-urlencoded":
            problems.extend(_form_problems(QueryDict(body), {}))
    return problems


def _form_problems(data, files) -> list[dict]:
    problems = []
    for name, values in data.lists():
        if CONTROL.search(name) or any(CONTROL.search(v) for v in values):
            problems.append({"field": _printable(name), "message": CONTROL_REASON})
    for name, upload in files.items():
        if CONTROL.search(upload.name or ""):
            problems.append({"field": _printable(name), "message": CONTROL_REASON})
    return problems


def _raw_body_problems(body: bytes) -> list[dict]:
    try:
        parsed = json.loads(body, strict=False)  # raw control characters too
    except ValueError:
        # Not JSON (Ninja answers that itself): a form-encoded body or plain text.
        return (
            [{"field": "body", "message": CONTROL_REASON}]
            if CONTROL.search(body.decode("utf-8", "replace"))
            else []
        )
    return _json_problems(parsed, "")


def _printable(name: str) -> str:
    return CONTROL.sub("?", name)


def _json_problems(value, where: str) -> list[dict]:
    if isinstance(value, str):
        return (
            [{"field": where or "body", "message": CONTROL_REASON}] if CONTROL.search(value) else []
        )
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{_printable(key)}" if where else _printable(key)
            if CONTROL.search(key):
                found.append({"field": path, "message": CONTROL_REASON})
            found.extend(_json_problems(item, path))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_json_problems(item, f"{where}.{index}" if where else str(index)))
    return found


class InputGuardMiddleware:
    """One guard for hostile input on pages and the API: 422 with the reason.

    A NUL in a search, a filter or a title would otherwise reach the database (where
    PostgreSQL refuses it with a server error), and a search of only spaces has no word
    to look for. The API answers JSON `{"detail", "errors"}`; a page answers the error
    page with the same sentence (page forms re-render their own fields' errors first).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problems = input_problems(request)
        if not problems:
            return self.get_response(request)
        detail = "The request is not valid: " + "; ".join(
            f"{p['field']}: {p['message']}" for p in problems
        )
        _log_refusal(request, 422, detail)
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": detail, "errors": problems}, status=422)
            response._has_been_logged = True  # our line above; no second one from Django
            return response
        if request.path.startswith("/scim/"):
            # SCIM's own error message (RFC 7644 §3.12): identity providers read only it.
            response = JsonResponse(
                {
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                    "status": "400",
                    "scimType": "invalidValue",
                    "detail": detail,
                },
                status=400,
                content_type="application/scim+json",
            )
            response._has_been_logged = True
            return response
        return error_page(request, 422, detail)
