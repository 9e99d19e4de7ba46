"""Log lines an operator can act on: one line per event, with its time (UTC), level,
request id, user and client address.

`RequestContextMiddleware` gives each request an id (the proxy's `X-Request-ID` when
BEHIND_PROXY, else a new one), sends it back in `X-Request-ID`, and keeps the request in
a context variable; the record factory installed by `install_record_factory` puts
`request_id`, `user` and `client` on every log record made while it runs (or "-"), so
every handler and format can use them; `OneLineFormatter` writes an event, traceback
included, on one line.
"""

import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from peergroups.http import client_address

_current: ContextVar[HttpRequest | None] = ContextVar("peergroups_request", default=None)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def request_id_of(request: HttpRequest) -> str:
    if settings.BEHIND_PROXY:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        if _SAFE_ID.match(given):
            return given
    return uuid.uuid4().hex[:16]


class RequestContextMiddleware:
    """First in MIDDLEWARE, so every line a request causes carries its id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = request_id_of(request)
        token = _current.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


def _user_of(request: HttpRequest, *, load: bool) -> str:
    """The signed-in user's id, without a query unless `load` (an error worth one)."""
    user = request.__dict__.get("_cached_user") or getattr(request, "auth", None)
    if user is None and load and hasattr(request, "user"):
        try:
            user = request.user
        except Exception:  # noqa: BLE001 - the database may be what failed
            return "unknown"
    pk = getattr(user, "pk", None)
    return str(pk) if pk else ("anonymous" if user is not None else "-")


def install_record_factory() -> None:
    """Every record gets `request_id`, `user` and `client` ("-" outside a request)."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "peergroups", False):
        return

    def record_with_request(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        request = _current.get()
        if request is None:
            record.request_id = record.user = record.client = "-"
            return record
        record.request_id = getattr(request, "request_id", "-")
        record.user = _user_of(request, load=record.levelno >= logging.ERROR)
        record.client = client_address(request)
        return record

    record_with_request.peergroups = True
    logging.setLogRecordFactory(record_with_request)


class OneLineFormatter(logging.Formatter):
    """`2026-12-07T03:20:00.123Z ERROR req=… user=42 client=203.0.113.9 django.request:
    Internal Server Error: /o/acme/ | Traceback … ` (newlines in the message or its
    traceback become " | ", so a log shipper sees one event per line)."""

    default_format = (
        "%(asctime)s %(levelname)s req=%(request_id)s user=%(user)s client=%(client)s "
        "%(name)s: %(message)s"
    )

    def __init__(self, fmt: str | None = None, **kwargs):
        super().__init__(fmt or self.default_format, **kwargs)

    def formatTime(self, record, datefmt=None) -> str:  # noqa: N802 - logging's name
        moment = datetime.fromtimestamp(record.created, tz=UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(record.msecs):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        request = getattr(record, "request", None)  # Django's own lines pass it in `extra`
        if getattr(record, "request_id", "-") == "-" and isinstance(request, HttpRequest):
            # Django logs a 4xx/5xx response after the middleware returned it.
            record.request_id = getattr(request, "request_id", "-")
            record.user = _user_of(request, load=False)
            record.client = client_address(request)
        for name in ("request_id", "user", "client"):
            if not hasattr(record, name):  # made before the factory was installed
                setattr(record, name, "-")
        return " | ".join(line for line in super().format(record).splitlines() if line.strip())
