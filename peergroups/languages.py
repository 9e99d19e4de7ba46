"""Which languages the product speaks, and which one a page or an e-mail is in: the
person's own choice, else their organization's default, else the site's (settings)."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from peergroups.errors import Invalid


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_choices(*, blank: str = "") -> list[tuple[str, str]]:
    """The choices of a language field; `blank` labels the empty choice ("the
    organization's default") where there is one."""
    return ([("", blank)] if blank else []) + list(settings.LANGUAGES)


def language_check(code: str | None, *, field: str, blank_ok: bool = False) -> str:
    """The one check of a language a person or an organization chooses."""
    code = (code or "").strip()
    if (code == "" and blank_ok) or code in language_codes():
        return code
    raise Invalid(
        gettext("Choose one of the languages offered: %(codes)s.")
        % {"codes": ", ".join(language_codes())},
        field=field,
    )


def language_of(*, user=None, organization=None) -> str:
    """The language a person reads in: their own, else the organization's default, else
    the site's. Either may be None (an invitation has no account yet; a password reset
    no organization)."""
    codes = language_codes()
    for code in (getattr(user, "language", ""), getattr(organization, "default_language", "")):
        if code in codes:
            return code
    return settings.LANGUAGE_CODE


def language_activate_for(request, *, user, organization) -> None:
    """A page opened from a one-click link in an e-mail (a pulse, a check-in) answers in
    the language of the person the link is for, as the e-mail did; the language
    middleware restores the thread's language after the response."""
    language = language_of(user=user, organization=organization)
    translation.activate(language)
    request.LANGUAGE_CODE = language
