"""Every e-mail of the product: one template rendered into a plain-text and an HTML part
(`email_message`), sent from the organization's name with its Reply-To; and not lost
when the mail server is down: retried with back-off, then recorded as failed.

The template is written as plain text and rendered once with autoescaping off, so the
text part reads "James O'Connor", never "O&#x27;Connor". The HTML part is made from that
text, escaped line by line (`urlize` turns its links into anchors), inside one calm,
accessible layout (`templates/email/layout.html`, inline styles: mail clients drop
style sheets).

`@retry_email(...)` goes under `@task()` on a task that sends e-mail. When the send fails
on the way to the server (refused, timed out, a 4xx answer), the task queues itself
again with the same arguments after RETRY_DELAYS (`run_after`, so no worker waits);
after the last try, or at once on a permanent refusal (5xx: a bad address), it calls
`on_failure` (e.g. to show an invitation as not delivered) and raises, so the task row
is FAILED with its traceback and the log has an ERROR line.

Tasks queued before this existed, and callers, pass no `attempt`: it starts at 1.

Every e-mail is in its recipient's language (their own, else their organization's
default: `peergroups.languages.language_of`), whoever's request or worker sends it: a
sender builds the subject and calls `email_message` inside `with email_language(user=...,
organization=...)`, or passes `language=`, and the subject (a lazy string too) and the
body are rendered in it.
"""

import functools
import logging
import smtplib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from email.utils import formataddr, parseaddr
from functools import cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, engines
from django.template.engine import Engine
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import urlize
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe

from peergroups.languages import language_of

logger = logging.getLogger("peergroups.mail")

# Seconds before each retry: 1 min, 5 min, 30 min, 2 h, 6 h (about 8.6 hours in all).
RETRY_DELAYS = (60, 300, 1800, 7200, 21600)


def mail_error_reason(error: Exception) -> str:
    """A sentence for an admin: why the mail server did not take the message."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "The mail server refused the address: " + "; ".join(
            f"{address}: {code} {message.decode(errors='replace') if isinstance(message, bytes) else message}"
            for address, (code, message) in error.recipients.items()
        )
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error
        if isinstance(message, bytes):
            message = message.decode(errors="replace")
        return f"The mail server answered {error.smtp_code}: {message}"
    if isinstance(error, TimeoutError):
        return "The mail server did not answer in time."
    if isinstance(error, ConnectionError):
        return "The mail server could not be reached."
    return f"Sending failed: {error}"


def is_permanent(error: Exception) -> bool:
    """A 5xx answer (no such mailbox, refused): trying again gives the same answer."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500 and error.smtp_code not in {521, 554}
    return False


MAIL_ERRORS = (smtplib.SMTPException, OSError)

LAYOUT_TEMPLATE = "email/layout.html"
# The text was escaped before urlize added its anchors: only those start with "<a href=".
LINK_STYLE = '<a style="color:#1d5a8e;text-decoration:underline;" href='
SOFT_WRAP_FROM = 60  # characters: a shorter line ended where its writer meant it to


@cache
def _text_engine() -> Engine:
    """The project's template engine (same directories, tags and filters) with
    autoescaping off: an e-mail's text part is not HTML."""
    engine = engines["django"].engine
    return Engine(
        dirs=engine.dirs,
        app_dirs=engine.app_dirs,
        libraries=engine.libraries,
        builtins=[b for b in engine.builtins if b not in Engine.default_builtins],
        autoescape=False,
        debug=engine.debug,
    )


def email_text(template: str, context: dict) -> str:
    """The plain-text part of an e-mail: its template rendered with autoescaping off."""
    return _text_engine().get_template(template).render(Context(context, autoescape=False))


def _unwrapped(lines: list[str]) -> list[str]:
    """A sentence the text template wrapped by hand flows again in HTML: a line that
    starts in lower case continues a long line before it; lists and "Where:" lines keep
    their breaks."""
    joined: list[str] = []
    for line in (line.rstrip() for line in lines):
        if joined and len(joined[-1]) >= SOFT_WRAP_FROM and line[:1].islower():
            joined[-1] += " " + line
        else:
            joined.append(line)
    return joined


def email_html(text: str, *, title: str = "Peergroups") -> str:
    """The HTML part, made from the text part: each paragraph (blank-line separated) a
    <p>, each line break a <br>, every character escaped and every link an anchor."""
    paragraphs = []
    for block in text.strip().split("\n\n"):
        lines = _unwrapped(block.strip("\n").split("\n"))
        lines = [urlize(line, autoescape=True).replace("<a href=", LINK_STYLE) for line in lines]
        if any(line.strip() for line in lines):
            paragraphs.append(mark_safe("<br>\n".join(lines)))
    return render_to_string(
        LAYOUT_TEMPLATE,
        {"paragraphs": paragraphs, "title": title},
    )


def email_sender(organization=None) -> str:
    """From: the organization's sender name (if it set one) with the site's address, so
    replies and bounces never depend on a domain the site cannot send for."""
    name = getattr(organization, "email_sender_name", "") or ""
    if not name:
        return settings.DEFAULT_FROM_EMAIL
    return formataddr((name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


@contextmanager
def email_language(*, user=None, organization=None) -> Iterator[str]:
    """Inside, everything said is in the recipient's language: the subject a sender
    builds, its dates (`django.utils.formats.date_format`), and the template rendered.
    `user` is None for an address with no account yet (an invitation)."""
    language = language_of(user=user, organization=organization)
    with translation.override(language):
        yield language


def in_recipient_language(recipient: Callable[..., tuple]):
    """Decorate a function that builds or sends one person's e-mail: it runs inside
    `email_language`. `recipient` takes the function's arguments and returns the
    (user, organization) the e-mail is for."""

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            user, organization = recipient(*args, **kwargs)
            with email_language(user=user, organization=organization):
                return function(*args, **kwargs)

        return wrapper

    return decorate


def email_message(
    *,
    to: str | Iterable[str],
    subject: str,
    template: str,
    context: dict,
    organization=None,
    reply_to: str | None = None,
    attachments: Iterable[tuple[str, bytes | str, str]] = (),
    language: str | None = None,
) -> EmailMultiAlternatives:
    """One e-mail of the product, ready to send (`.send()`, or in a batch through one
    connection). `organization` gives the sender name and the Reply-To; `reply_to`
    (e.g. the group's facilitator) takes precedence over the organization's. Subject and
    body are rendered in `language`, else in the active one (`email_language`)."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        text = email_text(template, context)
        subject = " ".join(str(subject).split())  # a header: never a line break
        html = email_html(text, title=subject)
    reply = reply_to or getattr(organization, "email_reply_to", "") or ""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=email_sender(organization),
        to=[to] if isinstance(to, str) else list(to),
        reply_to=[reply] if reply else None,
        headers={"Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    return message


def email_send(**kwargs) -> None:
    """Render and send one e-mail now (`email_message`'s arguments)."""
    email_message(**kwargs).send()


def retry_email(on_failure: Callable[..., None] | None = None):
    """Decorate a task's function (below `@task()`): retry its send with back-off.

    `on_failure(*args, reason=str, **kwargs)` runs once, when the task gives up.
    """

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, attempt: int = 1, **kwargs):
            try:
                return function(*args, **kwargs)
            except MAIL_ERRORS as error:
                name = f"{function.__module__}.{function.__name__}"
                reason = mail_error_reason(error)
                if not is_permanent(error) and attempt <= len(RETRY_DELAYS):
                    delay = RETRY_DELAYS[attempt - 1]
                    task = import_string(name)  # the module attribute is the Task
                    task.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
                        *args, attempt=attempt + 1, **kwargs
                    )
                    logger.warning(
                        "e-mail task %s%r failed (attempt %s): %s; retrying in %s s",
                        name,
                        args,
                        attempt,
                        reason,
                        delay,
                    )
                    return None
                logger.error(
                    "e-mail task %s%r failed for good after %s attempt(s): %s",
                    name,
                    args,
                    attempt,
                    reason,
                )
                if on_failure is not None:
                    on_failure(*args, reason=reason, **kwargs)
                raise

        return wrapper

    return decorate
