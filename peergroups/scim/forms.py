from django import forms
from django.utils.translation import gettext_lazy as _


class ScimTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Which identity provider uses it, so you can tell tokens apart later."),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Entra ID production")}),
    )
