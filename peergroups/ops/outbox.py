"""The development mail outbox: an e-mail backend that keeps each message as an `.eml`
file under MAIL_OUTBOX_DIR, and the reader behind the staff page `/dev/outbox` that lists
them with their links, so a newcomer follows an invitation without reading the console.

On by default only in development (DEBUG without EMAIL_HOST, `MAIL_OUTBOX`); with it off
the page is a 404. Files, not a table: any process (web, every worker) writes its own,
and nothing of it reaches a production database or a migration.
"""

import email
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger("peergroups.mail")

LINK = re.compile(r"https?://[^\s<>\"')]+")
SHOWN = 200  # the newest messages on the page


class OutboxBackend(BaseEmailBackend):
    """Writes each message to MAIL_OUTBOX_DIR/<time>-<id>.eml and logs one line for it."""

    def send_messages(self, email_messages) -> int:
        folder = Path(settings.MAIL_OUTBOX_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            path.write_bytes(message.message().as_bytes())
            logger.info(
                "e-mail to %s kept in the outbox: %s", ", ".join(message.to), message.subject
            )
            sent += 1
        return sent


@dataclass(frozen=True)
class OutboxMessage:
    name: str
    to: str
    sender: str
    reply_to: str
    subject: str
    sent_at: datetime
    text: str
    links: list[str]


def _text_of(parsed) -> str:
    part = parsed.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def outbox_messages(limit: int = SHOWN) -> list[OutboxMessage]:
    """The newest kept messages first."""
    folder = Path(settings.MAIL_OUTBOX_DIR)
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]:
        parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        text = _text_of(parsed)
        sent_at = parsed["Date"].datetime if parsed["Date"] else None
        found.append(
            OutboxMessage(
                name=path.stem,
                to=str(parsed["To"] or ""),
                sender=str(parsed["From"] or ""),
                reply_to=str(parsed["Reply-To"] or ""),
                subject=str(parsed["Subject"] or ""),
                sent_at=sent_at or datetime.fromtimestamp(path.stat().st_mtime, UTC),
                text=text,
                links=list(dict.fromkeys(LINK.findall(text))),
            )
        )
    return found
