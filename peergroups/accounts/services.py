"""A person's own account settings (the e-mail preferences live in `notifications`)."""

from peergroups.accounts.models import User
from peergroups.languages import language_check


def user_language_update(*, user: User, language: str) -> User:
    """The person's language for pages and e-mails; empty: their organization's default."""
    language = language_check(language, field="language", blank_ok=True)
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
