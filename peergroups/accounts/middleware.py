"""The language of each page: the signed-in person's own, else their organization's
default (`organizations.access.org_view` switches to it on an organization's pages and
keeps it in the session for the pages outside one), else the browser's Accept-Language.

Instead of Django's LocaleMiddleware, which activates a language and leaves it active on
the thread after the response: this one restores the previous language, so a request
never changes the language of whatever runs next on the thread (a test, a task run
in-process)."""

from django.utils import translation
from django.utils.cache import patch_vary_headers

from peergroups.languages import language_codes

# The organization's default language, kept by `org_view` for pages outside an organization.
SESSION_ORGANIZATION_LANGUAGE = "org_language"


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        codes = language_codes()
        user = getattr(request, "user", None)
        own = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        session = getattr(request, "session", None)
        organization_default = (
            session.get(SESSION_ORGANIZATION_LANGUAGE, "") if own == "" and session else ""
        )
        language = next(
            (code for code in (own, organization_default) if code in codes),
            None,
        ) or translation.get_language_from_request(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
        patch_vary_headers(response, ("Accept-Language",))
        return response
