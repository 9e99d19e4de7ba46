"""Text bounds: one check and one sentence for every field a person types into.

Each bound is defined once, next to the model that stores the text (e.g.
`meetings.models.ISSUE_TEXT_MAX`); every service checks it with `text_check`, so a
page, the API, a task and an import refuse the same text with the same sentence. Forms
use `text_bound` (the same sentence, and the browser's maxlength), and the API's schema
errors for a too-long string say it too (`http.install_api_errors`).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext

from peergroups.errors import Invalid
from peergroups.formats import number_text


def text_too_long(limit: int) -> str:
    """The one sentence for a text over its bound (the API's schema errors do not carry
    the text, so the sentence names the bound only)."""
    return gettext("Keep this to %(limit)s characters or fewer.") % {"limit": number_text(limit)}


def text_check(
    value: str | None, *, field: str, limit: int, blank: str = "", fold: bool = False
) -> str:
    """`value` stripped (`fold`: runs of white space made one space), within `limit`.

    Raises `Invalid` naming `field` when the text is longer than `limit`, or when it is
    empty and `blank` (the sentence asking for it) is given.
    """
    value = " ".join((value or "").split()) if fold else (value or "").strip()
    if blank and not value:
        raise Invalid(blank, field=field)
    if len(value) > limit:
        raise Invalid(text_too_long(limit), field=field)
    return value


class TextLimitValidator(MaxLengthValidator):
    """Django's max-length validator with our sentence (forms say what services say)."""

    def __call__(self, value):
        # The service counts the stripped text; so does the form.
        length = len(value.strip()) if isinstance(value, str) else self.clean(value)
        if length > self.limit_value:
            raise ValidationError(text_too_long(self.limit_value), code="max_length")


def text_bound(field, limit: int):
    """Give a form's text field the shared bound: our sentence and the browser's maxlength.

    Returns the field, so a form can write `text = text_bound(forms.CharField(...), N)`.
    """
    field.max_length = limit
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)] + [
        TextLimitValidator(limit)
    ]
    field.widget.attrs["maxlength"] = str(limit)
    return field
