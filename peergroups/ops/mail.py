"""E-mail that is not lost when the mail server is down: retried with back-off, then
recorded as failed.

`@retry_email(...)` goes under `@task()` on a task that sends e-mail. When the send fails
on the way to the server (refused, timed out, a 4xx answer), the task queues itself
again with the same arguments after RETRY_DELAYS (`run_after`, so no worker waits);
after the last try, or at once on a permanent refusal (5xx: a bad address), it calls
`on_failure` (e.g. to show an invitation as not delivered) and raises, so the task row
is FAILED with its traceback and the log has an ERROR line.

Tasks queued before this existed, and callers, pass no `attempt`: it starts at 1.
"""

import functools
import logging
import smtplib
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone
from django.utils.module_loading import import_string

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
