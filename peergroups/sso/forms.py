import re

from django import forms
from django.utils.translation import gettext_lazy as _

from peergroups.sso.models import CLIENT_ID_MAX, CLIENT_SECRET_MAX, ISSUER_MAX
from peergroups.textlimits import text_bound


class SignOnSettingsForm(forms.Form):
    """The organization's sign-on; the rules (what turning it on needs) are the service's."""

    enabled = forms.BooleanField(label=_("Sign-in with company accounts is on"), required=False)
    issuer = text_bound(
        forms.CharField(
            label=_("Issuer"),
            required=False,
            help_text=_(
                "Your identity provider's issuer address, e.g. "
                "https://login.microsoftonline.com/&lt;tenant-id&gt;/v2.0"
            ),
            widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        ),
        ISSUER_MAX,
    )
    client_id = text_bound(
        forms.CharField(
            label=_("Client id"),
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        ),
        CLIENT_ID_MAX,
    )
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        max_length=CLIENT_SECRET_MAX,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )
    allowed_domains = forms.CharField(
        label=_("E-mail domains that may join"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            "One per line, e.g. acme.com. People of these domains without an account join "
            "as members on their first sign-in. Leave empty to let in only people already "
            "in the organization or invited."
        ),
    )

    def __init__(self, *args, has_secret: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_secret"].help_text = (
            _("A secret is stored. Leave this empty to keep it; it is never shown again.")
            if has_secret
            else _("Stored encrypted; never shown again.")
        )

    def clean_allowed_domains(self) -> list[str]:
        return [part for part in re.split(r"[\s,;]+", self.cleaned_data["allowed_domains"]) if part]


class SignOnFindForm(forms.Form):
    email = forms.EmailField(
        label=_("Your work e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
