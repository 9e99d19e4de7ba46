"""Secrets stay out of logs: one-click links lose their token before a line is written.

A pulse, check-in, invitation, password-reset or calendar link is a credential (see
`links.py`), and a log is read by more people, kept longer and copied further than the
database that stores only the links' hashes. `redact_links` rewrites a line; the logging
filter `RedactLinks` applies it to every record Django writes (request logging, our
refusal lines), and gunicorn's access log applies it through `gunicorn.conf.py`. Pure
Python, so gunicorn's master and the logging set-up can import it before Django is ready.
"""

import logging
import re

REDACTED = "[redacted]"
_SEGMENT = r"[^/\s?#\"'<>]+"
# The URL shapes that carry a token (peergroups/urls.py and each app's urls.py).
TOKEN_PATHS = [
    re.compile(rf"(/o/{_SEGMENT}/pulse/){_SEGMENT}"),
    re.compile(rf"(/o/{_SEGMENT}/check-in/){_SEGMENT}"),
    re.compile(rf"(/o/{_SEGMENT}/calendar/)[^/\s?#\"'<>]+?(?=\.ics)"),
    re.compile(rf"(/invite/){_SEGMENT}"),
    re.compile(rf"(/accounts/reset/)(?!done/){_SEGMENT}/{_SEGMENT}"),
]


def redact_links(text: str) -> str:
    """`text` with the token of every one-click link replaced by "[redacted]"."""
    for pattern in TOKEN_PATHS:
        text = pattern.sub(lambda match: match.group(1) + REDACTED, text)
    return text


class RedactLinks(logging.Filter):
    """A logging filter: the record's message, with its arguments, made safe."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's to report
            return True
        safe = redact_links(message)
        if safe != message:
            record.msg, record.args = safe, ()
        return True
